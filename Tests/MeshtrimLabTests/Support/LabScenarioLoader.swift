import MeshtrimCore
import MeshtrimLab

/// Loads a fixture the way `meshtrim lab --manifests` does, so tests predict what the lab serves.
enum LabScenarioLoader {
    /// The scenario for a manifest file with the lab's default seed.
    static func fixture(_ path: String, seed: UInt64 = 1) throws -> LabScenario {
        try LabScenario.load(manifests: [path], seed: seed)
    }
}
