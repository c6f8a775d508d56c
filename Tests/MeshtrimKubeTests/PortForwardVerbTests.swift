import Foundation
import MeshtrimCore
import MeshtrimKube
import MeshtrimLab
import MeshtrimTestSupport
import Testing

/// A WebSocket port-forward is authorised as `get` on `pods/portforward` on Kubernetes 1.28–1.34 and as `get` and
/// `create` from 1.35 (kubernetes/kubernetes PR #134577): meshtrim asks per server version and words its note
/// accordingly (issue #16 item 4), against labs claiming 1.30 and 1.35 whose RBAC denies one verb.
@Suite(.timeLimit(.minutes(4)))
struct PortForwardVerbTests {
    @Test(arguments: [
        ("v1.30.2-eks-2d98532", ["get"]), ("v1.34.1", ["get"]), ("v1.35.0-gke.1795000", ["get", "create"]), ("v1.36.0", ["get", "create"]),
        ("1.28", ["get"]), ("", ["get"]), ("v2.0.0", ["get"]),
    ])
    func theVerbsFollowTheServerVersion(_ version: String, _ verbs: [String]) {
        #expect(LivePermissions.portForwardVerbs(serverVersion: version) == verbs)
    }

    @Test func theLabAuthorisesAsTheVersionItClaims() throws {
        #expect(try LabKubernetesVersion(parsing: "1.30").portForwardVerbs(webSocket: true) == ["get"])
        #expect(try LabKubernetesVersion(parsing: "v1.35.1").portForwardVerbs(webSocket: true) == ["get", "create"])
        #expect(try LabKubernetesVersion(parsing: "1.35").portForwardVerbs(webSocket: false) == ["create"])
        #expect(try LabKubernetesVersion(parsing: "1.35.2").gitVersion == "v1.35.2-meshtrim-lab")
        for bad in ["1", "2.30", "1.x", "1.30.1.2", "1.5"] {
            #expect(throws: LabError.self, "\(bad)") { try LabKubernetesVersion(parsing: bad) }
        }
    }

    static func clusterNames(_ session: LiveSession) async throws -> Result<[String], KubeError> {
        let keys = ObservationTests.sidecarKeys(try await session.loadInventory().inventory)
        let key = try #require(keys.first)
        do {
            return .success(try await SidecarReader(client: session.client).clusterNames(namespace: key.namespace, pod: key.name))
        } catch let error as KubeError {
            return .failure(error)
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func onKubernetes130GetIsEnough() async throws {
        // RBAC without create on pods/portforward: kubectl port-forward works on 1.30, and so does meshtrim.
        try await withLab(ObservationTests.mesh + ["--kubernetes-version", "1.30", "--fault", "forbid=create:pods/portforward"], envoy: true) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            #expect(session.serverVersion == "v1.30.0-meshtrim-lab")
            #expect(session.permissions.portForwardVerbs == ["get"])
            #expect(session.permissions.portForward == .allowed)
            #expect(session.permissions.lines.contains("cluster names: port-forward :15000 config_dump (on demand)"))
            let names = try await Self.clusterNames(session)
            #expect((try? names.get())?.isEmpty == false, "\(names)")
            await session.shutdown()
        }
        // Without get, 1.30 refuses, and the note says get is what this version needs.
        try await withLab(ObservationTests.mesh + ["--kubernetes-version", "1.30", "--fault", "forbid=get:pods/portforward"], envoy: true) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            #expect(session.permissions.portForward == .denied)
            #expect(
                session.permissions.lines.contains(
                    "cluster names: predicted — pods/portforward not permitted "
                        + "(Kubernetes v1.30.0-meshtrim-lab authorises a WebSocket port-forward as get on pods/portforward)"),
                "\(session.permissions.lines)")
            guard case .failure(let error) = try await Self.clusterNames(session) else {
                Issue.record("the port-forward worked without get on 1.30")
                return
            }
            #expect(error.kind == .forbidden && error.message.contains("get"), "\(error)")
            await session.shutdown()
        }
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func fromKubernetes135CreateIsNeededToo() async throws {
        try await withLab(ObservationTests.mesh + ["--kubernetes-version", "1.35", "--fault", "forbid=create:pods/portforward"], envoy: true) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            #expect(session.serverVersion == "v1.35.0-meshtrim-lab")
            #expect(session.permissions.portForwardVerbs == ["get", "create"])
            #expect(session.permissions.portForward == .denied)
            let line = "cluster names: predicted — pods/portforward not permitted "
                + "(Kubernetes v1.35.0-meshtrim-lab authorises a WebSocket port-forward as get and create on pods/portforward)"
            #expect(session.permissions.lines.contains(line), "\(session.permissions.lines)")
            // The server refuses as the note says: 403 for create.
            guard case .failure(let error) = try await Self.clusterNames(session) else {
                Issue.record("the port-forward worked without create on 1.35")
                return
            }
            #expect(error.kind == .forbidden && error.message.contains("create"), "\(error)")
            // The capture's note is the same line.
            let capture = try await session.capture(clusterNames: true)
            #expect(capture.notes.contains(line), "\(capture.notes)")
            await session.shutdown()
        }
        try await withLab(ObservationTests.mesh + ["--kubernetes-version", "1.35"], envoy: true) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            #expect(session.permissions.portForward == .allowed)
            let names = try await Self.clusterNames(session)
            #expect((try? names.get())?.isEmpty == false, "\(names)")
            await session.shutdown()
        }
    }
}
