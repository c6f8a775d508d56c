import Foundation
import MeshtrimCore
import MeshtrimTestSupport
import Testing

/// The real kubectl writing Sidecars to the lab as it writes to an API server: two appliers conflicting on
/// `spec.egress` (the 409 and kubectl's own advice), `--force-conflicts`, `kubectl delete --dry-run=server`,
/// `kubectl patch` (merge and JSON), `kubectl replace`, client-side `kubectl apply`, and an Istio older than 1.22.
@Suite(.enabled(if: shouldRunTests(needing: "kubectl")), .timeLimit(.minutes(3)))
struct KubectlServerSideApplyTests {
    static let fixture = KubectlAgainstLabTests.fixture

    static func sidecar(_ hosts: String, apiVersion: String = "networking.istio.io/v1") -> String {
        """
        apiVersion: \(apiVersion)
        kind: Sidecar
        metadata: {name: default, namespace: shop, labels: {team: shop}}
        spec:
          egress:
          - hosts: [\(hosts)]

        """
    }

    @Test func twoAppliersConflictOnSpecEgressUntilForced() async throws {
        try await withLab(["--manifests", Self.fixture], needsEnvoy: false) { lab in
            let argo = try lab.kubectl(["apply", "--server-side", "--field-manager", "argocd-controller", "-f", "-"], stdin: Self.sidecar(#""*/*""#))
            #expect(argo.exitCode == 0, "\(argo.stderr)")

            let conflict = try lab.kubectl(["apply", "--server-side", "-f", "-"], stdin: Self.sidecar(#""./*", "istio-system/*""#))
            #expect(conflict.exitCode != 0)
            #expect(conflict.stderr.contains(#"Apply failed with 1 conflict: conflict with "argocd-controller": .spec.egress"#), "\(conflict.stderr)")
            #expect(conflict.stderr.contains("--force-conflicts"), "kubectl's advice on conflicts: \(conflict.stderr)")

            // The same value is no conflict: kubectl and Argo CD share the field.
            let shared = try lab.kubectl(["apply", "--server-side", "-f", "-"], stdin: Self.sidecar(#""*/*""#))
            #expect(shared.exitCode == 0, "\(shared.stderr)")

            let forced = try lab.kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], stdin: Self.sidecar(#""./*""#))
            #expect(forced.exitCode == 0, "\(forced.stderr)")
            let object = try lab.kubectl(["get", "sidecar", "default", "-n", "shop", "-o", "json", "--show-managed-fields"])
            let json = try JSONValue.parse(Data(object.stdout.utf8))
            #expect(json.value(at: "spec.egress") == [["hosts": ["./*"]]])
            let managers = json.value(at: "metadata.managedFields")?.arrayValue?.compactMap { $0["manager"]?.stringValue } ?? []
            #expect(managers.contains("kubectl") && managers.contains("argocd-controller"), "Argo CD keeps its label: \(managers)")

            // kubectl diff --server-side shows the egress change only.
            let diff = try lab.kubectl(["diff", "--server-side", "--force-conflicts", "-f", "-"], stdin: Self.sidecar(#""istio-system/*""#))
            #expect(diff.exitCode == 1, "kubectl diff exits 1 when there is a difference: \(diff.stderr)")
            #expect(diff.stdout.contains("+    - istio-system/*"), "\(diff.stdout)")
            #expect(!diff.stdout.contains("-    team: shop"), "\(diff.stdout)")
        }
    }

    @Test func deleteDryRunServerDeletesNothing() async throws {
        try await withLab(["--manifests", Self.fixture], needsEnvoy: false) { lab in
            let dry = try lab.kubectl(["delete", "sidecar", "default", "-n", "payments", "--dry-run=server"])
            #expect(dry.exitCode == 0, "\(dry.stderr)")
            #expect(dry.stdout.contains("(server dry run)"), "\(dry.stdout)")
            let still = try lab.kubectl(["get", "sidecar", "default", "-n", "payments", "-o", "name"])
            #expect(still.stdout.contains("sidecar.networking.istio.io/default"), "the dry-run deleted it: \(still.stderr)")
            let unknown = try lab.kubectl(["delete", "--raw", "/apis/networking.istio.io/v1/namespaces/payments/sidecars/default?dryRun=Maybe"])
            #expect(unknown.exitCode != 0)
            #expect(unknown.stderr.contains(#"Unsupported value: []string{"Maybe"}: supported values: "All""#), "\(unknown.stderr)")
        }
    }

    @Test func patchReplaceAndClientSideApply() async throws {
        try await withLab(["--manifests", Self.fixture], needsEnvoy: false) { lab in
            let created = try lab.kubectl(["apply", "-f", "-"], stdin: Self.sidecar(#""*/*""#))
            #expect(created.exitCode == 0, "\(created.stderr)")
            let changed = try lab.kubectl(["apply", "-f", "-"], stdin: Self.sidecar(#""./*""#))
            #expect(changed.exitCode == 0, "client-side apply (a merge patch): \(changed.stderr)")
            #expect(changed.stdout.contains("configured"), "\(changed.stdout)")

            let merge = try lab.kubectl(["patch", "sidecar", "default", "-n", "shop", "--type", "merge", "-p", #"{"metadata":{"labels":{"tier":"web"}}}"#])
            #expect(merge.exitCode == 0, "\(merge.stderr)")
            let json = try lab.kubectl([
                "patch", "sidecar", "default", "-n", "shop", "--type", "json", "-p", #"[{"op":"add","path":"/spec/egress/0/hosts/-","value":"istio-system/*"}]"#,
            ])
            #expect(json.exitCode == 0, "\(json.stderr)")
            let strategic = try lab.kubectl(["patch", "sidecar", "default", "-n", "shop", "-p", #"{"spec":{}}"#])
            #expect(strategic.exitCode != 0, "Sidecars take no strategic merge patch")

            let current = try lab.kubectl(["get", "sidecar", "default", "-n", "shop", "-o", "json"])
            var object = try JSONValue.parse(Data(current.stdout.utf8))
            #expect(object.value(at: "spec.egress") == [["hosts": ["./*", "istio-system/*"]]])
            #expect(object.value(at: "metadata.labels") == ["team": "shop", "tier": "web"])
            object["spec"] = ["egress": [["hosts": ["istio-system/*"]]]]
            let replaced = try lab.kubectl(["replace", "-f", "-"], stdin: object.jsonText)
            #expect(replaced.exitCode == 0, "\(replaced.stderr)")
            let stale = try lab.kubectl(["replace", "-f", "-"], stdin: object.jsonText)
            #expect(stale.exitCode != 0 && stale.stderr.contains("the object has been modified"), "\(stale.stderr)")
            let managers = try lab.kubectl(["get", "sidecar", "default", "-n", "shop", "-o", "jsonpath={.metadata.managedFields[*].manager}"])
            #expect(managers.stdout.contains("kubectl-replace"), "\(managers.stdout)")
        }
    }

    @Test func anIstioOlderThan1_22ServesV1beta1() async throws {
        try await withLab(["--manifests", Self.fixture, "--istio-api-versions", "v1beta1,v1alpha3"], needsEnvoy: false) { lab in
            let resources = try lab.kubectl(["api-versions"])
            #expect(resources.stdout.contains("networking.istio.io/v1beta1"))
            #expect(!resources.stdout.contains("networking.istio.io/v1\n"))
            let list = try lab.kubectl(["get", "sidecars", "-A", "-o", "json"])
            #expect(list.exitCode == 0, "\(list.stderr)")
            #expect(list.stdout.contains("networking.istio.io/v1beta1"))
            let v1 = try lab.kubectl(["apply", "--server-side", "-f", "-"], stdin: Self.sidecar(#""./*""#))
            #expect(v1.exitCode != 0, "a v1 Sidecar on an Istio that does not serve v1")
            let applied = try lab.kubectl(
                ["apply", "--server-side", "-f", "-"], stdin: Self.sidecar(#""./*""#, apiVersion: "networking.istio.io/v1beta1"))
            #expect(applied.exitCode == 0, "\(applied.stderr)")
        }
    }
}
