import Foundation
import Testing
@testable import MeshtrimCore
import MeshtrimFiles

/// `meshtrim check`'s engine on the bundled demo and on Istio's bookinfo manifests: every finding type (webhook,
/// safety, cut traffic per pod, `--require-scope`, `--drift`, duplicates, missing namespaces) with its file, line
/// and code, and the plan of the same mesh passing.
@Suite("Sidecar check")
struct SidecarCheckTests {
    static let demo: MeshAnalysis? = try? MeshAnalysis(snapshot: MeshSnapshot.load(from: MeshGeneratorTests.bundledDemo.path), source: "demo")

    func demoAnalysis() throws -> MeshAnalysis {
        try #require(Self.demo, "the bundled demo snapshot must load")
    }

    /// Each Sidecar of `text` as read from `file`.
    static func sidecars(_ text: String, file: String) throws -> [CheckedSidecar] {
        try SidecarDocumentReader.read(text).sidecars.map { CheckedSidecar(file: file, document: $0) }
    }

    /// The demo's plan as its directory holds it: one file per Sidecar, with the comment line the writer puts first.
    static func planFiles(_ analysis: MeshAnalysis) -> [(path: String, text: String)] {
        let plan = MeshPlanner(analysis: analysis).plan()
        return plan.sidecarsInWaveOrder.map { sidecar in
            (MeshPlan.relativePath(of: sidecar), "# wave \(sidecar.wave): written by meshtrim plan\n" + sidecar.manifest.yaml)
        }
    }

    static func planSidecars(_ analysis: MeshAnalysis) throws -> [CheckedSidecar] {
        try planFiles(analysis).flatMap { try sidecars($0.text, file: $0.path) }
    }

    @Test("the demo's plan passes: no error, one checked Sidecar per planned one, every Sidecar at line 2 of its file")
    func planPasses() throws {
        let analysis = try demoAnalysis()
        let sidecars = try Self.planSidecars(analysis)
        let report = SidecarCheck(analysis: analysis).run(sidecars, options: .init(requireScope: true))
        #expect(!report.fails(strict: false), "\(report.text)")
        #expect(report.sidecars.count == sidecars.count)
        #expect(sidecars.allSatisfy { $0.document.line == 2 })
        #expect(!report.findings.contains { $0.code == SafetyFinding.Code.cutsObservedTraffic })
        #expect(!report.findings.contains { $0.code == CheckFinding.Code.importsEverything }, "the plan scopes every namespace")
    }

    @Test("a host removed from a planned Sidecar: one MT0001 error per pod and destination, at that Sidecar's file and line")
    func removedHostCutsTraffic() throws {
        let analysis = try demoAnalysis()
        let plan = MeshPlanner(analysis: analysis).plan()
        // A namespace Sidecar keeping traffic to another namespace: the host of its biggest such destination.
        func crossNamespace(_ planned: PlannedSidecar) -> PlanDestination? {
            planned.keeps.first { !$0.host.hasPrefix($0.sourceNamespace + "/") && planned.hosts.contains($0.host) }
        }
        let planned = try #require(plan.sidecars.first { $0.kind == .namespace && crossNamespace($0) != nil })
        let kept = try #require(crossNamespace(planned))
        let path = MeshPlan.relativePath(of: planned)
        let files = Self.planFiles(analysis).map { file -> (String, String) in
            guard file.path == path else { return file }
            let lines = file.text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasSuffix(" " + kept.host) }
            return (file.path, lines.joined(separator: "\n"))
        }
        #expect(files.first { $0.0 == path }?.1.contains(kept.host) == false, "the host line is gone")
        let sidecars = try files.flatMap { try Self.sidecars($0.1, file: $0.0) }
        let report = SidecarCheck(analysis: analysis).run(sidecars)
        #expect(report.fails(strict: false))
        let cuts = report.findings.filter { $0.code == SafetyFinding.Code.cutsObservedTraffic }
        #expect(!cuts.isEmpty, "\(report.text)")
        for cut in cuts {
            #expect(cut.file == path && cut.line == 2, "\(cut)")
            #expect(cut.severity == .error)
            #expect(cut.sidecar == planned.qualifiedName)
            #expect(cut.destination == kept.host)
            #expect(cut.pod.map { kept.pods.contains($0) } == true, "\(cut.pod ?? "no pod") sent traffic to \(kept.host)")
            #expect(cut.message.contains("add \"\(kept.host)\""))
        }
        #expect(Set(cuts.compactMap(\.pod)) == Set(kept.pods), "every pod that sent it, once")
    }

    @Test("webhook rules: an error at the line of the host at fault, a warning for a duplicated host")
    func webhook() throws {
        let analysis = try demoAnalysis()
        let text = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata:
              name: default
              namespace: messaging
            spec:
              egress:
              - hosts:
                - "./*"
                - reviews
                - "istio-system/*"
                - "istio-system/*"
            """
        let report = SidecarCheck(analysis: analysis).run(try Self.sidecars(text, file: "bad.yaml"))
        let webhook = report.findings.filter { $0.code == CheckFinding.Code.webhook }
        let error = try #require(webhook.first { $0.severity == .error }, "\(report.text)")
        #expect(error.file == "bad.yaml" && error.line == 10)
        #expect(error.message.contains("\"reviews\""))
        let warning = try #require(webhook.first { $0.severity == .warning })
        #expect(warning.line == 12 && warning.message.contains("duplicated egress host"))
        #expect(report.fails(strict: false))
    }

    @Test("safety checks see the other Sidecars under the paths: IST0111 for two selector-less ones, MT0002 without istiod")
    func safety() throws {
        let analysis = try demoAnalysis()
        let text = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: messaging}
            spec:
              egress:
              - hosts: ["./*", "istio-system/*"]
            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: second, namespace: messaging}
            spec:
              egress:
              - hosts: ["./*"]
            """
        let report = SidecarCheck(analysis: analysis).run(try Self.sidecars(text, file: "two.yaml"))
        let conflicts = report.findings.filter { $0.code == SafetyFinding.Code.multipleWithoutSelector }
        #expect(Set(conflicts.map(\.sidecar)) == ["messaging/default", "messaging/second"], "\(report.text)")
        #expect(conflicts.allSatisfy { $0.severity == .error })
        #expect(Set(conflicts.compactMap(\.line)) == [1, 8])
        let istiod = try #require(report.findings.first { $0.code == SafetyFinding.Code.istiodNamespaceNotImported })
        #expect(istiod.sidecar == "messaging/second" && istiod.severity == .warning && istiod.line == 8)
    }

    @Test("--require-scope: namespaces without a Sidecar fail without a file; a checked */* Sidecar fails at its host's line")
    func requireScope() throws {
        let analysis = try demoAnalysis()
        let text = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: cart}
            spec:
              egress:
              - hosts:
                - "*/*"
            """
        let sidecars = try Self.sidecars(text, file: "open.yaml")
        let report = SidecarCheck(analysis: analysis).run(sidecars, options: .init(requireScope: true))
        let open = report.findings.filter { $0.code == CheckFinding.Code.importsEverything }
        let cart = try #require(open.first { $0.namespace == "cart" }, "\(report.text)")
        #expect(cart.file == "open.yaml" && cart.line == 7 && cart.sidecar == "cart/default" && cart.severity == .error)
        #expect(cart.message.contains("lists \"*/*\""))
        let unscoped = open.filter { $0.file == nil }
        #expect(!unscoped.isEmpty)
        #expect(unscoped.allSatisfy { $0.message.contains("no Sidecar applies") && $0.sidecar == nil })
        let withSidecar = Set(analysis.inventory.sidecars.filter { $0.workloadSelector == nil }.map(\.meta.namespace))
        #expect(!unscoped.contains { withSidecar.contains($0.namespace ?? "") }, "messaging has its default Sidecar")
        // Without the flag the same Sidecars give no such finding.
        #expect(!SidecarCheck(analysis: analysis).run(sidecars).findings.contains { $0.code == CheckFinding.Code.importsEverything })
    }

    @Test("--drift: the mesh's own Sidecar is no drift, a changed one shows the changed lines, a new one is not in the mesh")
    func drift() throws {
        let analysis = try demoAnalysis()
        let existing = try #require(analysis.inventory.sidecars.first { $0.meta.qualifiedName == "messaging/default" })
        let same = try Self.sidecars(SidecarManifest.yaml(of: existing), file: "same.yaml")
        let unchanged = SidecarCheck(analysis: analysis).run(same, options: .init(drift: true))
        #expect(!unchanged.findings.contains { $0.code == CheckFinding.Code.drift }, "\(unchanged.text)")

        let changed = SidecarManifest.yaml(of: existing).replacingOccurrences(of: "- \"./*\"", with: "- \"./*\"\n    - \"cart/*\"")
        #expect(changed.contains("cart/*"))
        let report = SidecarCheck(analysis: analysis).run(
            try Self.sidecars(changed, file: "changed.yaml") + Self.sidecars(
                "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: fresh, namespace: cart}\nspec:\n  egress:\n  - hosts: [\"./*\", \"istio-system/*\"]\n",
                file: "new.yaml"),
            options: .init(drift: true))
        let drift = report.findings.filter { $0.code == CheckFinding.Code.drift }
        let differs = try #require(drift.first { $0.file == "changed.yaml" }, "\(report.text)")
        let addedLine = changed.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("cart/*") }.map { $0 + 1 }
        #expect(differs.severity == .warning && differs.line == addedLine, "at the host only the file has")
        #expect(differs.message.contains("only here: cart/*"), "\(differs.message)")
        #expect(differs.message.contains("in demo"))
        let fresh = try #require(drift.first { $0.file == "new.yaml" })
        #expect(fresh.message.contains("is not in demo"))
        #expect(report.fails(strict: true))
    }

    @Test("the same Sidecar twice is an error naming the other place; a Sidecar without namespace is checked in default")
    func duplicatesAndNamespaces() throws {
        let analysis = try demoAnalysis()
        let sidecar = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: messaging}\nspec:\n  egress:\n  - hosts: [\"./*\", \"istio-system/*\"]\n"
        let loose = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: loose}\nspec:\n  egress:\n  - hosts: [\"./*\", \"istio-system/*\"]\n"
        let report = SidecarCheck(analysis: analysis).run(
            try Self.sidecars(sidecar, file: "a.yaml") + Self.sidecars(sidecar, file: "b.yaml") + Self.sidecars(loose, file: "c.yaml"))
        let duplicate = try #require(report.findings.first { $0.code == CheckFinding.Code.duplicate }, "\(report.text)")
        #expect(duplicate.file == "b.yaml" && duplicate.severity == .error && duplicate.message.contains("a.yaml:1"))
        #expect(report.sidecars.map(\.qualifiedName) == ["messaging/default", "default/loose"])
        #expect(report.sidecars.first?.file == "b.yaml", "the later one is checked, as kubectl applies it")
        let namespace = try #require(report.findings.first { $0.code == CheckFinding.Code.noNamespace })
        #expect(namespace.sidecar == "default/loose" && namespace.severity == .warning && namespace.file == "c.yaml")
    }

    /// Istio's bookinfo as the mesh (manifests: predictions only, so no observed traffic to cut).
    @Test("on manifests: webhook, conflicts with the mesh's Sidecars, require-scope and drift, no cut without traffic")
    func manifests() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let bookinfo = root.appendingPathComponent("Fixtures/istio/samples/bookinfo/platform/kube/bookinfo.yaml").path
        let selector = root.appendingPathComponent("Fixtures/istio/pkg/config/analysis/analyzers/testdata/sidecar-selector.yaml").path
        let set = try ManifestLoader.load(paths: [bookinfo, selector])
        let analysis = MeshAnalysis(inventory: set.inventory, observations: [], source: "manifests")
        let text = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: reviews-trim, namespace: default}
            spec:
              workloadSelector:
                labels: {app: reviews}
              egress:
              - hosts: ["./details.default.svc.cluster.local", "bad"]
            """
        let report = SidecarCheck(analysis: analysis).run(try Self.sidecars(text, file: "trim.yaml"), options: .init(requireScope: true, drift: true))
        let codes = Set(report.findings.map(\.code))
        #expect(codes.isSuperset(of: [CheckFinding.Code.webhook, SafetyFinding.Code.conflictingSelectors, CheckFinding.Code.importsEverything,
            CheckFinding.Code.drift, SafetyFinding.Code.istiodNamespaceNotImported]), "\(report.text)")
        #expect(!codes.contains(SafetyFinding.Code.cutsObservedTraffic), "manifests carry no observed traffic")
        #expect(report.findings.first { $0.code == SafetyFinding.Code.conflictingSelectors }?.line == 1)
        #expect(report.findings.first { $0.code == CheckFinding.Code.webhook && $0.severity == .error }?.line == 8)
    }
}
