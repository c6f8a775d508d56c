import ArgumentParser
import Foundation
import MeshtrimCore

/// Where a command reads the mesh from: a snapshot file or plain manifests (live clusters: see README).
struct SourceOptions: ParsableArguments {
    @Option(name: .long, help: "Read a snapshot captured by `meshtrim snapshot` (or generated).")
    var snapshot: String?

    @Option(name: .long, help: "Read plain Kubernetes/Istio manifests (repeatable; files or directories). Predictions only.")
    var manifests: [String] = []

    @Option(name: .long, help: "The Istio version whose behaviour to model (default: the mesh's, else 1.31).")
    var istioVersion: String?

    /// Whether any source was given.
    var isGiven: Bool { snapshot != nil || !manifests.isEmpty }

    func validate() throws {
        if snapshot != nil && !manifests.isEmpty { throw ValidationError("give --snapshot or --manifests, not both") }
    }

    /// Loads the chosen source and analyses it.
    func analysis() throws -> MeshAnalysis {
        let version = try parseIstioVersion(istioVersion)
        if let snapshot {
            do {
                return MeshAnalysis(snapshot: try MeshSnapshot.load(from: snapshot), source: snapshot, istioVersion: version)
            } catch let error as SnapshotError {
                throw ValidationError(error.description)
            }
        }
        let set = try loadManifests(manifests)
        for warning in set.warnings { printError("warning: \(warning)") }
        return MeshAnalysis(
            inventory: set.inventory, observations: [], source: "manifests (\(set.files.count) files)", istioVersion: version)
    }
}
