import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// The editor's ✓ marks come from the scope engine's host matching, `~` exclusions included (issue #13 item 5).
@Suite("Egress editor coverage follows the engine")
struct EditorCoverageTests {
    static let hosts = ["*/*", "~payments/*", "~bookinfo/reviews.bookinfo.svc.cluster.local"]

    /// The namespace-wide editor of `shipping` with `hosts` chosen.
    func editorChoosing(_ hosts: [String]) throws -> EditorState {
        var state = TestMesh.state(width: 120, height: 40)
        state.goToNamespace("shipping")
        state.press(.character("e"))
        var current = try editor(state)
        current.hosts = hosts
        return current
    }

    /// `namespace/hostname` of every service the engine imports into `shipping` for a Sidecar with `hosts`.
    func engineImports(_ hosts: [String]) -> Set<String> {
        let data = TestMesh.data
        let sidecar = Sidecar(
            meta: ObjectMeta(name: "default", namespace: "shipping"),
            egress: [SidecarEgressListener(hosts: hosts)])
        let scope = data.analysis.engine.outboundScope(namespace: "shipping", labels: [:], sidecar: sidecar)
        return Set(scope.services.map { "\($0.service.namespace)/\($0.service.hostname)" })
    }

    @Test("*/* with ~payments/* and ~ns/svc: ✓ exactly where the engine imports")
    func exclusionsTakeTheMarkAway() throws {
        let data = TestMesh.data
        let editor = try editorChoosing(Self.hosts)
        let visible = engineImports(["*/*"])
        let imported = engineImports(Self.hosts)
        let payments = try #require(data.servicesByNamespace["payments"], "the test mesh has payments services")
        try #require(!payments.isEmpty)
        try #require(visible.contains("bookinfo/reviews.bookinfo.svc.cluster.local"))
        try #require(visible.contains("bookinfo/details.bookinfo.svc.cluster.local"))

        var coveredNamespaces: [String] = []
        for namespace in data.namespaceNames {
            let services = (data.servicesByNamespace[namespace] ?? []).map { "\(namespace)/\($0.hostname)" }
                .filter(visible.contains)
            for service in services {
                let hostname = String(service.dropFirst(namespace.count + 1))
                let mark = editor.mark(for: .service(namespace: namespace, hostname: hostname))
                #expect((mark == .covered) == imported.contains(service), "\(service): \(mark)")
            }
            let everyImported = services.allSatisfy(imported.contains)
            let namespaceMark = editor.mark(for: .namespace(namespace))
            if namespaceMark == .covered { coveredNamespaces.append(namespace) }
            #expect((namespaceMark == .covered) == everyImported, "\(namespace): \(namespaceMark)")
        }
        #expect(editor.mark(for: .namespace("payments")) == .unselected)
        #expect(editor.mark(for: .namespace("bookinfo")) == .unselected, "one of its services is excluded")
        #expect(editor.mark(for: .service(namespace: "bookinfo", hostname: "reviews.bookinfo.svc.cluster.local")) == .unselected)
        #expect(editor.mark(for: .service(namespace: "bookinfo", hostname: "details.bookinfo.svc.cluster.local")) == .covered)
        #expect(editor.mark(for: .currentNamespace) == .covered)
        #expect(coveredNamespaces.contains("shipping") && coveredNamespaces.contains("istio-system"), "\(coveredNamespaces)")
    }

    @Test("Before Istio 1.31 ~payments is a namespace name, so */* still covers payments")
    func noExclusionsBefore131() throws {
        var editor = try editorChoosing(Self.hosts)
        editor.version = IstioVersion(major: 1, minor: 30)
        #expect(editor.mark(for: .namespace("payments")) == .covered)
        #expect(editor.mark(for: .service(namespace: "bookinfo", hostname: "reviews.bookinfo.svc.cluster.local")) == .covered)
    }
}
