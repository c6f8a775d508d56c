import Foundation
import Testing
import Yams

@testable import MeshtrimCore

/// YAML goldens, round trips and file names for generated Sidecars.
@Suite("SidecarManifest")
struct SidecarManifestTests {
    static let namespaceWide = SidecarManifest(
        namespace: "bookinfo", hosts: ["./*", "istio-system/*", "./*", "~/*", "*/*"])

    static let namespaceWideYAML = """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata:
          name: default
          namespace: bookinfo
          labels:
            app.kubernetes.io/managed-by: meshtrim
        spec:
          egress:
          - hosts:
            - "./*"
            - "istio-system/*"
            - "~/*"
            - "*/*"

        """

    static let workload = SidecarManifest(
        namespace: "bookinfo",
        hosts: ["bookinfo/ratings.bookinfo.svc.cluster.local", "istio-system/*", "*/*.googleapis.com"],
        workload: "reviews", workloadSelector: ["version": "v1", "app": "reviews", "canary": "true"],
        egressPort: SidecarPort(number: 9080, protocol: "HTTP", name: "http"), outboundTrafficPolicy: .registryOnly,
        labels: ["app.kubernetes.io/managed-by": "meshtrim", "release": "1.0"])

    static let workloadYAML = """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata:
          name: reviews
          namespace: bookinfo
          labels:
            app.kubernetes.io/managed-by: meshtrim
            release: "1.0"
        spec:
          workloadSelector:
            labels:
              app: reviews
              canary: "true"
              version: v1
          egress:
          - port:
              number: 9080
              protocol: HTTP
              name: http
            hosts:
            - bookinfo/ratings.bookinfo.svc.cluster.local
            - "istio-system/*"
            - "*/*.googleapis.com"
          outboundTrafficPolicy:
            mode: REGISTRY_ONLY

        """

    @Test func namespaceWideGolden() {
        #expect(Self.namespaceWide.yaml == Self.namespaceWideYAML)
        #expect(Self.namespaceWide.uniqueHosts == ["./*", "istio-system/*", "~/*", "*/*"])
    }

    @Test func workloadGolden() {
        #expect(Self.workload.yaml == Self.workloadYAML)
    }

    @Test("reads back to the same Sidecar", arguments: [namespaceWide, workload])
    func roundTripsThroughYams(_ manifest: SidecarManifest) throws {
        let read = try SidecarDocumentReader.read(manifest.yaml)
        #expect(read.sidecars.count == 1)
        #expect(read.otherObjectCount == 0)
        #expect(read.sidecars.first?.sidecar == manifest.sidecar)
        #expect(read.sidecars.first?.problems == [])
        // Plain Yams agrees that every host is a string, not an alias, null or number.
        let loaded = try Yams.load(yaml: manifest.yaml) as? [String: Any]
        let spec = loaded?["spec"] as? [String: Any]
        let egress = spec?["egress"] as? [[String: Any]]
        #expect(egress?.first?["hosts"] as? [String] == manifest.uniqueHosts)
    }

    @Test func generatedSidecarsValidate() {
        #expect(SidecarManifest(namespace: "bookinfo", hosts: ["./*", "istio-system/*"]).validate().isEmpty)
        #expect(Self.workload.validate().isEmpty)
        let warnings = Self.namespaceWide.validate().map(\.message)
        #expect(warnings.contains("`*/*` host select all resources, no other hosts can be added"))
    }

    @Test func emptyHostListIsWrittenAndFlagged() throws {
        let manifest = SidecarManifest(namespace: "ns", hosts: [])
        #expect(manifest.yaml.contains("  - hosts: []\n"))
        #expect(manifest.validate().map(\.message) == ["sidecar: egress listener must contain at least one host"])
        #expect(try SidecarDocumentReader.read(manifest.yaml).sidecars.first?.sidecar == manifest.sidecar)
    }

    @Test func fileNames() {
        #expect(SidecarManifest(namespace: "bookinfo", hosts: []).fileName == "sidecar-bookinfo.yaml")
        #expect(Self.workload.fileName == "sidecar-bookinfo-reviews.yaml")
        #expect(SidecarManifest(namespace: "a b", hosts: [], workload: "x/y").fileName == "sidecar-a-b-x-y.yaml")
    }

    @Test func defaultNames() {
        #expect(SidecarManifest(namespace: "ns", hosts: []).name == "default")
        #expect(SidecarManifest(namespace: "ns", hosts: [], workload: "api").name == "api")
        #expect(SidecarManifest(namespace: "ns", hosts: [], name: "trim", workload: "api").name == "trim")
    }

    struct Scalar: Sendable, CustomTestStringConvertible {
        var text: String
        var written: String
        var testDescription: String { text.isEmpty ? "(empty)" : text }
    }

    static let scalars: [Scalar] = [
        Scalar(text: "reviews", written: "reviews"),
        Scalar(text: "app.kubernetes.io/name", written: "app.kubernetes.io/name"),
        Scalar(text: "./*", written: "./*"),
        Scalar(text: "*/*", written: "\"*/*\""),
        Scalar(text: "~", written: "\"~\""),
        Scalar(text: "", written: "\"\""),
        Scalar(text: "yes", written: "\"yes\""),
        Scalar(text: "off", written: "\"off\""),
        Scalar(text: "null", written: "\"null\""),
        Scalar(text: "1.0", written: "\"1.0\""),
        Scalar(text: "0x1F", written: "\"0x1F\""),
        Scalar(text: "2024-01-02", written: "\"2024-01-02\""),
        Scalar(text: "a: b", written: "\"a: b\""),
        Scalar(text: "a #b", written: "\"a #b\""),
        Scalar(text: "say \"hi\"\n", written: "\"say \\\"hi\\\"\\n\""),
        Scalar(text: "-x", written: "\"-x\""),
        Scalar(text: "@x", written: "\"@x\""),
    ]

    @Test("scalars are quoted only when YAML needs it", arguments: scalars)
    func quotesScalars(_ example: Scalar) throws {
        #expect(YAMLText.scalar(example.text) == example.written)
        let loaded = try Yams.load(yaml: "k: " + example.written) as? [String: Any]
        #expect(loaded?["k"] as? String == example.text)
    }

    /// A new Sidecar for a cluster that serves only `networking.istio.io/v1beta1` (Istio before 1.22) is written in
    /// that version, line for line the same otherwise (issue #16 item 7).
    @Test(arguments: ["networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"])
    func aNewSidecarSaysTheServedVersion(_ version: String) throws {
        var manifest = Self.namespaceWide
        manifest.apiVersion = version
        #expect(manifest.yaml == Self.namespaceWideYAML.replacingOccurrences(
            of: "apiVersion: networking.istio.io/v1\n", with: "apiVersion: \(version)\n"))
        #expect(manifest.writtenAPIVersion == version)
        #expect(Self.namespaceWide.writtenAPIVersion == "networking.istio.io/v1")
        #expect(ApplyDocument(manifest: manifest).apiVersion == version)
    }
}
