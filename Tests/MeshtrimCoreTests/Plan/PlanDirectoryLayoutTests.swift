import Foundation
import Testing
@testable import MeshtrimCore

/// The waves `meshtrim apply -f DIR` reads back from a plan directory's kustomization: exactly the plan's waves and
/// files (on the demo's plan), and clear refusals for a kustomization that is not a plan's.
@Suite("Plan directory layout")
struct PlanDirectoryLayoutTests {
    @Test func readsBackThePlansWavesFromItsKustomization() throws {
        let analysis = try #require(MeshPlannerTests.demo, "the bundled demo snapshot must load")
        let plan = MeshPlanner(analysis: analysis).plan(options: .init(perWorkload: true))
        try #require(plan.waves.count > 1, "the demo's plan has several waves")
        let layout = try PlanDirectoryLayout.read(kustomization: plan.kustomization, file: "plan/kustomization.yaml")
        #expect(layout.waves.map(\.number) == plan.waves.map(\.wave))
        for wave in plan.waves {
            let files = plan.sidecarsInWaveOrder.filter { $0.wave == wave.wave }.map(MeshPlan.relativePath(of:))
            #expect(layout.wave(wave.wave)?.files == files, "wave \(wave.wave)")
        }
        #expect(layout.waveRange == "1–\(plan.waves.count)")
    }

    @Test(arguments: [
        ("resources:\n- sidecar.yaml\n", 2, "resource sidecar.yaml is not wave-N/FILE.yaml"),
        ("resources:\n- wave-1/a.yaml\n- ../etc/b.yaml\n", 3, "resource ../etc/b.yaml is not wave-N/FILE.yaml"),
        ("resources:\n- wave-1/../../x.yaml\n", 2, "is not wave-N/FILE.yaml"),
        ("resources:\n- /abs/wave-1/a.yaml\n", 2, "is not wave-N/FILE.yaml"),
        ("resources:\n- wave-0/a.yaml\n", 2, "is not wave-N/FILE.yaml"),
        ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n", 1, "lists no resources"),
    ])
    func refusesWhatIsNotAPlan(text: String, line: Int, message: String) throws {
        let error = try #require(throws: ApplyDocumentError.self) {
            try PlanDirectoryLayout.read(kustomization: text, file: "dir/kustomization.yaml")
        }
        #expect(error.line == line)
        #expect(error.description.contains(message), "\(error)")
        #expect(error.description.hasPrefix("dir/kustomization.yaml:\(line):"))
    }

    @Test func refusesWavesOutOfOrderAndBadYAML() throws {
        let disorder = try #require(throws: ApplyDocumentError.self) {
            try PlanDirectoryLayout.read(kustomization: "resources:\n- wave-2/a.yaml\n- wave-1/b.yaml\n", file: "k.yaml")
        }
        #expect(disorder.description.contains("out of order (2, 1)"))
        let bad = try #require(throws: ApplyDocumentError.self) {
            try PlanDirectoryLayout.read(kustomization: "resources: [wave-1/a.yaml\n", file: "k.yaml")
        }
        #expect(bad.description.contains("not valid YAML"))
    }
}
