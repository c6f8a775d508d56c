import Foundation
import MeshtrimCore
import MeshtrimProcess

/// Writes a plan directory (`wave-N/NAMESPACE-NAME.yaml`, `kustomization.yaml`, `PLAN.md`) through the one atomic
/// writer (``AtomicFileWriter/writeDirectory(_:to:mode:permissions:)``): every file fsynced into a temporary sibling
/// directory, which is then renamed into place, so a reader (or `kubectl apply -k`) sees the old directory or the
/// whole new one, never half of it.
///
/// A non-empty target is refused unless `force`; with `force` the old directory is renamed aside, the new one
/// renamed in, and the old one deleted. A file, symbolic link or device at the path is never replaced.
struct PlanDirectoryWriter {
    /// Why the directory could not be written, naming the path.
    struct Failure: Error, CustomStringConvertible {
        /// The directory as given.
        let directory: String
        /// What is wrong, without the directory.
        let message: String
        /// Whether the directory was refused because it is not empty (the TUI has no `--force`).
        var isNotEmpty = false

        /// `DIR: message`.
        var description: String { "\(directory): \(message)" }
    }

    /// The files of a plan, by path relative to the directory, in writing order.
    static func files(of plan: MeshPlan) -> [(path: String, text: String)] {
        plan.sidecarsInWaveOrder.map { sidecar in
            (MeshPlan.relativePath(of: sidecar),
             "# wave \(sidecar.wave): \(sidecar.kind.rawValue) Sidecar, written by meshtrim plan (see PLAN.md)\n" + sidecar.manifest.yaml)
        } + [("kustomization.yaml", plan.kustomization), ("PLAN.md", plan.markdown)]
    }

    /// Checks, before the plan is made, that `directory` could be written (empty or absent, or `force`; a real
    /// directory; its parent exists).
    ///
    /// - Throws: ``Failure`` as ``write(_:to:force:)`` would.
    static func check(_ directory: String, force: Bool) throws(Failure) {
        do {
            try AtomicFileWriter.checkDirectory(directory, mode: force ? .replace : .createNew)
        } catch {
            throw failure(error, directory: directory)
        }
    }

    /// Writes `plan` into `directory`.
    ///
    /// - Throws: ``Failure`` when the directory is not empty (without `force`), is a file, link or device, or cannot be
    ///   written.
    /// - Returns: the absolute path of the directory written.
    @discardableResult
    static func write(_ plan: MeshPlan, to directory: String, force: Bool) throws(Failure) -> String {
        let entries = files(of: plan).map { AtomicFileWriter.DirectoryEntry(path: $0.path, data: Data($0.text.utf8)) }
        do {
            return try AtomicFileWriter.writeDirectory(entries, to: directory, mode: force ? .replace : .createNew)
        } catch {
            throw failure(error, directory: directory)
        }
    }

    /// The writer's error in the plan's words (`--force` named where it helps).
    private static func failure(_ error: FileWriteError, directory: String) -> Failure {
        switch error.reason {
        case .directoryNotEmpty:
            return Failure(
                directory: directory, message: "directory is not empty; choose another, or add --force to replace it", isNotEmpty: true)
        case .notADirectoryTarget, .noDirectory, .notADirectory:
            return Failure(directory: directory, message: error.message)
        default:
            return Failure(directory: directory, message: "cannot write the plan: \(error.description)")
        }
    }
}
