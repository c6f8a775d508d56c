import Foundation
import MeshtrimCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a plan directory (`wave-N/NAMESPACE-NAME.yaml`, `kustomization.yaml`, `PLAN.md`) atomically: everything
/// goes into a temporary sibling directory, which is then renamed into place, so a reader (or `kubectl apply -k`)
/// sees the old directory or the whole new one, never half of it.
///
/// A non-empty target is refused unless `force`; with `force` the old directory is renamed aside, the new one
/// renamed in, and the old one deleted.
struct PlanDirectoryWriter {
    /// Why the directory could not be written, naming the path.
    struct Failure: Error, CustomStringConvertible {
        /// The message.
        let description: String
    }

    /// The files of a plan, by path relative to the directory, in writing order.
    static func files(of plan: MeshPlan) -> [(path: String, text: String)] {
        plan.sidecarsInWaveOrder.map { sidecar in
            (MeshPlan.relativePath(of: sidecar),
             "# wave \(sidecar.wave): \(sidecar.kind.rawValue) Sidecar, written by meshtrim plan (see PLAN.md)\n" + sidecar.manifest.yaml)
        } + [("kustomization.yaml", plan.kustomization), ("PLAN.md", plan.markdown)]
    }

    /// Writes `plan` into `directory`.
    ///
    /// - Throws: ``Failure`` when the directory is not empty (without `force`), is a file, or cannot be written.
    static func write(_ plan: MeshPlan, to directory: String, force: Bool) throws {
        let manager = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        let exists = manager.fileExists(atPath: target.path, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue {
            throw Failure(description: "\(directory): exists and is not a directory")
        }
        let nonEmpty = exists && !((try? manager.contentsOfDirectory(atPath: target.path))?.isEmpty ?? true)
        if nonEmpty && !force {
            throw Failure(description: "\(directory): directory is not empty; choose another, or add --force to replace it")
        }
        guard manager.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure(description: "\(directory): the parent directory \(parent.path) does not exist")
        }
        let stamp = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let temporary = parent.appendingPathComponent(".\(target.lastPathComponent).meshtrim-new-\(stamp)")
        let aside = parent.appendingPathComponent(".\(target.lastPathComponent).meshtrim-old-\(stamp)")
        do {
            try manager.createDirectory(at: temporary, withIntermediateDirectories: false)
            for file in files(of: plan) {
                let url = temporary.appendingPathComponent(file.path)
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.text.utf8).write(to: url)
            }
        } catch {
            try? manager.removeItem(at: temporary)
            throw Failure(description: "\(directory): cannot write the plan: \(error.localizedDescription)")
        }
        if exists {
            // rename(2) cannot replace a non-empty directory: move the old one aside first.
            guard rename(target.path, aside.path) == 0 else {
                let reason = String(cString: strerror(errno))
                try? manager.removeItem(at: temporary)
                throw Failure(description: "\(directory): cannot move the old directory aside: \(reason)")
            }
        }
        guard rename(temporary.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if exists { _ = rename(aside.path, target.path) }
            try? manager.removeItem(at: temporary)
            throw Failure(description: "\(directory): cannot rename the new plan into place: \(reason)")
        }
        if exists { try? manager.removeItem(at: aside) }
    }
}
