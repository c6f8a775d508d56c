import Foundation
import Testing

@testable import MeshtrimCore
import MeshtrimFiles

/// A Sidecar that replaces an existing one keeps every field meshtrim does not edit, and its diff against the object
/// as it is shows only the egress hosts that changed (issue #11), on real Sidecars with ingress listeners.
@Suite("Sidecar replacement")
struct SidecarReplacementTests {
    static let fixtures = [
        "istio-api-prod-us1-uds.yaml", "istio-api-no-ip-tables.yaml", "istio-api-partial-ip-tables.yaml", "issue-11-payments.yaml",
    ]

    static func fixtureURL(_ name: String) -> URL {
        Fixtures.repositoryRoot.appendingPathComponent("Tests/MeshtrimCoreTests/Fixtures/sidecars").appendingPathComponent(name)
    }

    /// The one Sidecar of a fixture file, as the manifest loader reads it (with its original object).
    static func loadSidecar(_ name: String) throws -> Sidecar {
        let set = try ManifestLoader.load(paths: [fixtureURL(name).path])
        return try #require(set.inventory.sidecars.first)
    }

    /// `object` without the `hosts` of egress listener `index` (to compare everything else).
    static func withoutHosts(_ object: OrderedJSON, listener index: Int) -> OrderedJSON {
        guard case .object(var members) = object, let specIndex = members.firstIndex(where: { $0.key == "spec" }),
            case .object(var spec) = members[specIndex].value, let egressIndex = spec.firstIndex(where: { $0.key == "egress" }),
            case .array(var listeners) = spec[egressIndex].value, listeners.indices.contains(index)
        else { return object }
        listeners[index] = listeners[index].removingMember("hosts")
        spec[egressIndex].value = .array(listeners)
        members[specIndex].value = .object(spec)
        return .object(members)
    }

    @Test(arguments: fixtures)
    func addingAHostKeepsEveryOtherFieldAndDiffsOnlyThatHost(_ name: String) throws {
        let existing = try Self.loadSidecar(name)
        let original = try #require(existing.original, "the loader keeps the object as written")
        let index = try #require(existing.defaultEgressListenerIndex)
        let added = "ledger/ledger.ledger.svc.cluster.local"
        let manifest = SidecarManifest(
            namespace: existing.meta.namespace, hosts: existing.defaultEgressHosts + [added], name: existing.meta.name,
            workloadSelector: existing.workloadSelector?.matchLabels ?? [:], replacing: existing)

        let written = try #require(try SidecarDocumentReader.read(manifest.yaml).sidecars.first)
        #expect(Self.withoutHosts(written.original, listener: index) == Self.withoutHosts(original, listener: index))
        #expect(written.sidecar.egress[index].hosts == existing.defaultEgressHosts + [added])
        #expect(written.sidecar.ingressPorts == existing.ingressPorts && !existing.ingressPorts.isEmpty)
        #expect(written.sidecar.meta.labels == existing.meta.labels)
        #expect(written.sidecar.outboundTrafficPolicy == existing.outboundTrafficPolicy)
        #expect(written.details.ingressListenerCount == existing.ingressPorts.count)

        // The diff starts from the object as it is: re-reading that YAML gives the original object back.
        let replacedYAML = try #require(manifest.replacedYAML)
        #expect(try SidecarDocumentReader.read(replacedYAML).sidecars.first?.original == original)
        let diff = LineDiff.script(from: Self.lines(replacedYAML), to: Self.lines(manifest.yaml))
        let changes = diff.filter { if case .context = $0 { return false } else { return true } }
        #expect(changes == [.added(String(repeating: " ", count: 4) + "- " + added)])
    }

    @Test func theIssueSidecarLosesNeitherIngressNorLabelWhenAHostIsRemoved() throws {
        let existing = try Self.loadSidecar("issue-11-payments.yaml")
        let manifest = SidecarManifest(
            namespace: "payments", hosts: ["./*", "istio-system/*"], name: "default", replacing: existing)
        let yaml = manifest.yaml
        #expect(yaml.contains("defaultEndpoint: 127.0.0.1:8080"))
        #expect(yaml.contains("team: payments"))
        #expect(yaml.contains("owner: payments-oncall@example.com"))
        #expect(yaml.contains("mode: REGISTRY_ONLY"))
        #expect(yaml.contains("http1MaxPendingRequests: 1024"))
        #expect(!yaml.contains("app.kubernetes.io/managed-by"), "an edit adds no label of meshtrim's to someone else's Sidecar")
        let diff = LineDiff.script(from: Self.lines(try #require(manifest.replacedYAML)), to: Self.lines(yaml))
        let changes = diff.filter { if case .context = $0 { return false } else { return true } }
        #expect(changes == [.removed(#"    - "ledger/*""#)])
        #expect(manifest.validate().filter { $0.severity == .error }.isEmpty)
        #expect(manifest.sidecar.ingressPorts.map(\.number) == [9080])
        #expect(manifest.sidecar.outboundTrafficPolicy == .registryOnly)
    }

    @Test func otherListenersStayAsTheyAre() throws {
        // The catch-all listener is edited; the port-9080 listener keeps its hosts.
        let existing = try Self.loadSidecar("istio-api-prod-us1-uds.yaml")
        #expect(existing.defaultEgressHosts == ["istio-system/*"])
        let manifest = SidecarManifest(
            namespace: "prod-us1", hosts: ["istio-system/*", "./*"], name: "default", replacing: existing)
        let written = try #require(try SidecarDocumentReader.read(manifest.yaml).sidecars.first)
        #expect(written.sidecar.egress.map(\.hosts) == [["istio-system/*", "./*"], ["prod-us1/*"]])
        #expect(written.sidecar.egress[1].port == SidecarPort(number: 9080, protocol: "HTTP", name: "egresshttp"))
    }

    @Test func serverOwnedFieldsOfALiveObjectAreLeftOut() throws {
        let json = """
            {"kind":"SidecarList","apiVersion":"networking.istio.io/v1","metadata":{"resourceVersion":"9"},"items":[
            {"apiVersion":"networking.istio.io/v1","kind":"Sidecar","metadata":{"name":"default","namespace":"shop",
            "uid":"0b7c","resourceVersion":"812","generation":3,"creationTimestamp":"2026-01-02T03:04:05Z",
            "labels":{"team":"shop"},"managedFields":[{"manager":"kubectl","operation":"Apply"}]},
            "spec":{"ingress":[{"port":{"number":8080,"protocol":"HTTP","name":"http"},"defaultEndpoint":"127.0.0.1:8080"}],
            "egress":[{"hosts":["./*"]}]},"status":{"observedGeneration":3}}]}
            """
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtrim-replacement-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("70-sidecars-all-0.json")
        try Data(json.utf8).write(to: file)
        let existing = try #require(try ManifestLoader.load(paths: [file.path]).inventory.sidecars.first)
        #expect(existing.original != nil)
        let manifest = SidecarManifest(namespace: "shop", hosts: ["./*", "istio-system/*"], name: "default", replacing: existing)
        let yaml = manifest.yaml
        for field in ["managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "status"] {
            #expect(!yaml.contains(field), "\(field) is the API server's")
        }
        #expect(yaml.contains("defaultEndpoint: 127.0.0.1:8080") && yaml.contains("team: shop"))
        // Member order is the object's: metadata before spec, ingress before egress.
        let order = ["apiVersion:", "kind:", "metadata:", "spec:", "  ingress:", "  egress:"].map { key in
            yaml.range(of: "\n" + key).map { yaml.distance(from: yaml.startIndex, to: $0.lowerBound) } ?? (yaml.hasPrefix(key) ? 0 : -1)
        }
        #expect(order == order.sorted() && !order.contains(-1))
    }

    @Test func theOriginalSurvivesASnapshotInItsOrder() throws {
        let existing = try Self.loadSidecar("istio-api-no-ip-tables.yaml")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let decoded = try JSONDecoder().decode(Sidecar.self, from: try encoder.encode(existing))
        #expect(decoded == existing)
        #expect(decoded.original?.objectMembers?.map(\.key) == ["apiVersion", "kind", "metadata", "spec"])
    }

    @Test func aSidecarWithoutItsObjectIsRenderedFromTheModel() throws {
        let model = Sidecar(
            meta: ObjectMeta(name: "default", namespace: "shop", labels: ["team": "shop"]),
            egress: [SidecarEgressListener(hosts: ["./*"])], ingressPorts: [SidecarPort(number: 8080, protocol: "HTTP", name: "http")],
            outboundTrafficPolicy: .registryOnly)
        let manifest = SidecarManifest(namespace: "shop", hosts: ["./*", "istio-system/*"], name: "default", replacing: model)
        let written = try #require(try SidecarDocumentReader.read(manifest.yaml).sidecars.first)
        #expect(written.sidecar.ingressPorts == model.ingressPorts)
        #expect(written.sidecar.outboundTrafficPolicy == .registryOnly)
        #expect(written.sidecar.egress.map(\.hosts) == [["./*", "istio-system/*"]])
        let diff = LineDiff.script(from: Self.lines(try #require(manifest.replacedYAML)), to: Self.lines(manifest.yaml))
        #expect(diff.filter { if case .context = $0 { return false } else { return true } } == [.added(#"    - "istio-system/*""#)])
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// A replacement written for a cluster that serves another `networking.istio.io` version says that version and
    /// changes nothing else; without one it keeps the original's own, as before (issue #16 item 7).
    @Test(arguments: fixtures)
    func aServedVersionChangesOnlyTheAPIVersionLine(_ name: String) throws {
        let sidecar = try Self.loadSidecar(name)
        let hosts = sidecar.defaultEgressHosts
        let kept = SidecarManifest(namespace: sidecar.meta.namespace, hosts: hosts, name: sidecar.meta.name, replacing: sidecar)
        let served = SidecarManifest(
            namespace: sidecar.meta.namespace, hosts: hosts, name: sidecar.meta.name, replacing: sidecar,
            apiVersion: "networking.istio.io/v1beta1")
        let original = try #require(sidecar.original?["apiVersion"]?.stringValue, "the fixture says its apiVersion")
        #expect(kept.writtenAPIVersion == original, "without a served version the replaced Sidecar's own is kept")
        #expect(served.writtenAPIVersion == "networking.istio.io/v1beta1")
        let diff = LineDiff.unified(
            from: kept.yaml.split(separator: "\n").map(String.init), to: served.yaml.split(separator: "\n").map(String.init))
        let changed = diff.compactMap { line -> String? in
            switch line {
            case .removed(let text): "-" + text
            case .added(let text): "+" + text
            default: nil
            }
        }
        #expect(changed == ["-apiVersion: \(original)", "+apiVersion: networking.istio.io/v1beta1"])
        #expect(ApplyDocument(manifest: served).resourcePath.hasPrefix("/apis/networking.istio.io/v1beta1/namespaces/"))
        #expect(try SidecarDocumentReader.read(served.yaml).sidecars.first?.sidecar.egress == kept.sidecar.egress)
    }
}
