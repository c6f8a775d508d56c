import Foundation
import MeshtrimCore
import MeshtrimFiles
import MeshtrimTestSupport
import Testing

/// The pipeline of `scripts/demo-from-lab.sh` on a small mesh, with the real binary: labs with `--envoy-namespace`
/// in batches, `meshtrim snapshot -n …`, then `meshtrim generate-demo --from-lab`, which keeps the generated
/// inventory and takes every sidecar's figures from its own Envoy, and refuses incomplete or shared captures.
@Suite(.serialized) struct DemoFromLabTests {
    static let mesh = ["--namespaces", "5", "--services", "60", "--pods", "60", "--seed", "7"]

    /// Starts a lab with `arguments`, captures `namespaces` once every sidecar's Envoy has flushed its memory
    /// figures, stops the lab; returns how many Envoys the lab ran.
    @discardableResult
    static func capture(_ arguments: [String], namespaces: [String], envoy: String, to path: String) async throws -> Int {
        let lab = try TestLab(prefix: "meshtrim-demo-lab")
        try await lab.start(mesh + arguments, envoy: envoy)
        let envoys = lab.log.split(separator: "\n").first { $0.hasSuffix(" Envoys running") || $0.hasSuffix(" Envoy running") }
            .flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        do {
            // server.memory_allocated is 0 until an Envoy's first stats flush (every second in the lab): capture
            // again until every observation has it, within 30 s.
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                let snapshot = try runProcess(
                    [try meshtrimBinaryPath(), "snapshot", "-o", path, "--force", "--kubeconfig", lab.kubeconfig]
                        + namespaces.flatMap { ["-n", $0] })
                try #require(snapshot.exitCode == 0, "\(snapshot.stderr)")
                let captured = try MeshSnapshot.load(from: path)
                let flushed = !captured.observations.isEmpty && captured.observations.allSatisfy { ($0.envoyAllocatedBytes ?? 0) > 0 }
                if flushed { break }
                try #require(ContinuousClock.now < deadline, "an Envoy never reported server.memory_allocated")
                try await Task.sleep(for: .milliseconds(250))
            }
        } catch {
            try await lab.stop()
            throw error
        }
        try await lab.stop()
        return envoys
    }

    @Test("batched lab captures become the generated mesh's figures; a missing batch or a shared Envoy is refused")
    func pipeline() async throws {
        let envoy = try requireEnvoy()
        let binary = try meshtrimBinaryPath()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("demo-from-lab-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let made = try runProcess([binary, "generate-demo", "-o", "\(directory)/generated.json", "--force"] + Self.mesh)
        try #require(made.exitCode == 0, "\(made.stderr)")
        let generated = try MeshSnapshot.load(from: "\(directory)/generated.json")
        let namespaces = Array(Set(generated.observations.map(\.namespace))).sorted()
        try #require(namespaces.count >= 2)
        let batches = [Array(namespaces.prefix(namespaces.count / 2)), Array(namespaces.dropFirst(namespaces.count / 2))]
        var envoys = 0
        for (index, batch) in batches.enumerated() {
            envoys += try await Self.capture(
                batch.flatMap { ["--envoy-namespace", $0] } + ["--max-envoys", "200"], namespaces: batch, envoy: envoy,
                to: "\(directory)/capture-\(index).json")
        }

        let merged = try runProcess(
            [binary, "generate-demo", "-o", "\(directory)/demo.json", "--force"] + Self.mesh
                + ["--from-lab", "\(directory)/capture-0.json", "--from-lab", "\(directory)/capture-1.json"])
        try #require(merged.exitCode == 0, "\(merged.stderr)")
        let demo = try MeshSnapshot.load(from: "\(directory)/demo.json")
        #expect(demo.inventory == generated.inventory)
        #expect(demo.observations.count == generated.observations.count)
        for (observed, made) in zip(demo.observations, generated.observations) {
            #expect(observed.source == "lab Envoy")
            #expect(observed.activeClusters == made.activeClusters, "\(observed.pod)")
            #expect(observed.destinations == made.destinations)
            #expect(observed.envoyAllocatedBytes != made.envoyAllocatedBytes, "\(observed.pod) kept the synthesised figure")
            #expect((observed.workingSetBytes ?? 0) > (observed.envoyPhysicalBytes ?? .max))
        }

        // One batch is not the whole mesh.
        let partial = try runProcess(
            [binary, "generate-demo", "-o", "\(directory)/partial.json", "--force"] + Self.mesh
                + ["--from-lab", "\(directory)/capture-0.json"])
        #expect(partial.exitCode != 0)
        #expect(partial.stderr.contains("have no complete capture"), "\(partial.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/partial.json"))

        // The lab's per-namespace fallback (too few --max-envoys) shares Envoys between configurations.
        #expect(envoys > namespaces.count + 2, "one Envoy per configuration: \(envoys) for \(namespaces.count) namespaces")
        try await Self.capture(["--max-envoys", "\(namespaces.count + 2)"], namespaces: namespaces, envoy: envoy, to: "\(directory)/shared.json")
        let shared = try runProcess(
            [binary, "generate-demo", "-o", "\(directory)/shared-demo.json", "--force"] + Self.mesh
                + ["--from-lab", "\(directory)/shared.json"])
        #expect(shared.exitCode != 0)
        #expect(shared.stderr.contains("captured from an Envoy shared with other pod configurations"), "\(shared.stderr)")
    }
}
