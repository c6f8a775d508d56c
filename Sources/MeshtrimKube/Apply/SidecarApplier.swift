import Foundation
import MeshtrimCore

/// Applies Sidecars to a cluster the careful way: RBAC first, then the diff against the live object, a
/// server-side dry-run, and only then a server-side apply with field manager `meshtrim`.
///
/// ``check(_:forceConflicts:)`` never changes anything; ``apply(_:forceConflicts:)`` is the one call that does.
/// Refusals (422 validation, 403, 409 field-manager conflicts) come back as ``ApplyFailure`` with the API
/// server's message and what to do.
public struct SidecarApplier: Sendable {
    /// The field manager meshtrim applies as (`kubectl get sidecar -o yaml --show-managed-fields` shows it).
    public static let fieldManager = "meshtrim"

    /// The client.
    public let client: KubeClient

    /// Makes an applier over a client.
    public init(client: KubeClient) { self.client = client }

    /// Checks `document` without changing anything: permission, diff, dry-run, and the pods that will get it.
    ///
    /// - Parameter forceConflicts: dry-run with `force=true` (take over fields other managers own).
    public func check(_ document: ApplyDocument, forceConflicts: Bool = false) async -> ApplyCheck {
        var notes: [String] = []
        let (served, versionNote) = await servedDocument(document)
        if let versionNote { notes.append(versionNote) }
        let (live, exists, readNote) = await readLive(served)
        if let readNote { notes.append(readNote) }
        let permission = await permission(for: served, exists: exists)
        var diff = ApplyDiff.diff(live: live, document: served)
        var diffSource = ApplyDiffSource.document
        let dryRun: DryRunOutcome
        if case .denied = permission {
            dryRun = .skipped("not run, since RBAC denies the apply")
        } else {
            do {
                let (result, body) = try await dryRunPatch(served, force: forceConflicts)
                dryRun = .accepted(created: result.created)
                // As `kubectl diff --server-side`: the object the API server would store, against the live one.
                if let object = try? JSONValue.parse(body), object["spec"] != nil {
                    diff = ApplyDiff.diff(live: live, result: String(decoding: body, as: UTF8.self), namespace: served.namespace)
                    diffSource = .dryRun
                }
            } catch {
                dryRun = .rejected(error)
            }
        }
        let (pods, podNotes) = await podsReceiving(served)
        notes += podNotes
        var check = ApplyCheck(
            document: document, exists: exists, permission: permission, diff: diff, dryRun: dryRun, pods: pods, notes: notes)
        check.diffSource = diffSource
        return check
    }

    /// The document in the `networking.istio.io` version the cluster serves (discovery): as it is when the cluster
    /// serves its version or discovery cannot tell, else in the preferred served version with a note (Istio before
    /// 1.22 serves only v1beta1 and v1alpha3, and a v1 apply there is a 404).
    func servedDocument(_ document: ApplyDocument) async -> (ApplyDocument, String?) {
        struct Group: Decodable {
            struct Version: Decodable { var groupVersion: String }
            var preferredVersion: Version?
            var versions: [Version]?
        }
        let parts = document.apiVersion.split(separator: "/")
        guard parts.count == 2, let group = parts.first.map(String.init),
            let discovered = try? await client.get(Group.self, "/apis/\(group)")
        else { return (document, nil) }
        let served = (discovered.versions ?? []).map(\.groupVersion)
        guard !served.isEmpty, !served.contains(document.apiVersion) else { return (document, nil) }
        let chosen = discovered.preferredVersion?.groupVersion ?? served[0]
        return (
            document.serving(apiVersion: chosen),
            "the cluster serves \(served.joined(separator: ", ")), not \(document.apiVersion) (Istio before 1.22), so the Sidecar is applied "
                + "as \(chosen); its fields are the same"
        )
    }

    /// Applies `document` (server-side apply, field manager `meshtrim`).
    ///
    /// The real PATCH is never repeated blindly: when it fails in a way that may or may not have changed the object
    /// (a 5xx, a cut-off answer, a timeout), the live object is read again (GETs are retried). If it already says
    /// what the document says, the apply took effect and its result is returned (with a note); if it does not, the
    /// PATCH is sent again, at most `maxAttempts` times in all; if it cannot be read, the failure says that the
    /// outcome is unknown.
    ///
    /// - Parameter forceConflicts: take over fields other field managers own (`force=true`), as
    ///   `kubectl apply --server-side --force-conflicts` does.
    /// - Throws: ``ApplyFailure``; nothing changed then, unless its message says the outcome is unknown.
    public func apply(_ original: ApplyDocument, forceConflicts: Bool = false) async throws(ApplyFailure) -> ApplyResult {
        let document = await servedDocument(original).0
        var attempt = 0
        while true {
            attempt += 1
            let lost: KubeError
            do {
                var result = try await patch(document, dryRun: false, force: forceConflicts).0
                result.document = original
                return result
            } catch let error as KubeError where error.isTransient {
                lost = error
            } catch let error as KubeError {
                throw Self.failure(error, document: document)
            } catch {
                throw ApplyFailure(.other, "\(error)")
            }
            let (live, exists, _) = await readLive(document)
            if let live, exists == true, ApplyDiff.diff(live: live, document: document).isEmpty {
                var result = Self.result(of: Data(live.utf8), status: 200, document: original)
                result.note = "the API server's answer was lost (\(lost.message)); reading the Sidecar again showed the apply took effect"
                return result
            }
            guard exists != nil else {
                throw ApplyFailure(
                    .other, "the apply of Sidecar \(document.qualifiedName) got no answer (\(lost.message)) and the Sidecar could not be read "
                        + "again, so whether it was applied is unknown",
                    hint: "check with kubectl get sidecar -n \(document.namespace) \(document.name) -o yaml, then apply again")
            }
            guard attempt < client.options.maxAttempts else { throw Self.failure(lost, document: document) }
            do { try await client.backOff(attempt: attempt) } catch { throw ApplyFailure(.other, "cancelled") }
        }
    }

    // MARK: Steps

    /// An object as far as a check needs it to be sure the answer is a whole object (a garbled one is re-read).
    private struct ObjectProbe: Decodable {
        struct Metadata: Decodable { var name: String? }
        var metadata: Metadata?
    }

    /// A list as far as a check needs it to be sure the answer is a whole list.
    private struct ListProbe: Decodable {
        struct Item: Decodable {}
        var items: [Item]?
    }

    /// GETs the live object (retried, a garbled answer too): its JSON, whether it exists (`nil`: unknown), and a
    /// note when it cannot be read.
    func readLive(_ document: ApplyDocument) async -> (String?, Bool?, String?) {
        do {
            let response = try await client.fetch(ObjectProbe.self, "GET", document.resourcePath).response
            return (String(decoding: response.body, as: UTF8.self), true, nil)
        } catch let error as KubeError where error.kind == .notFound {
            return (nil, false, nil)
        } catch {
            return (nil, nil, "the live Sidecar \(document.qualifiedName) could not be read, so the diff shows the whole document: \(error)")
        }
    }

    /// SelfSubjectAccessReviews for `patch` (and `create` when the object is new or unknown).
    func permission(for document: ApplyDocument, exists: Bool?) async -> ApplyPermission {
        let checker = AccessChecker(client: client)
        let group = document.apiVersion.split(separator: "/").first.map(String.init) ?? "networking.istio.io"
        var verbs = ["patch"]
        if exists != true { verbs.append("create") }
        let answers = await checker.check(
            verbs.map { ResourcePath(verb: $0, group: group, resource: "sidecars", namespace: document.namespace, name: document.name) })
        var unknown: [String] = []
        for (verb, answer) in zip(verbs, answers) {
            switch answer {
            case .allowed:
                continue
            case .denied:
                return .denied(
                    "\(client.access.who) may not \(verb) sidecars.\(group) in namespace \(document.namespace) (RBAC; ask for a Role "
                        + "with get, create and patch on sidecars.\(group))")
            case .unknown(let reason):
                unknown.append("\(verb): \(reason)")
            }
        }
        return unknown.isEmpty ? .allowed : .unknown("the access review could not be made (\(unknown.joined(separator: "; "))); the dry-run will tell")
    }

    /// The server-side apply PATCH (dry-run or real); a dry-run is retried like a GET (it changes nothing), a real
    /// one is sent once.
    ///
    /// - Throws: ``KubeError`` as the client reports it.
    func patch(_ document: ApplyDocument, dryRun: Bool, force: Bool) async throws -> (ApplyResult, Data) {
        var query = [("fieldManager", Self.fieldManager), ("force", force ? "true" : "false")]
        if dryRun { query.append(("dryRun", "All")) }
        let response = try await client.send(
            "PATCH", document.resourcePath, query: query, body: Data(document.body.utf8), contentType: "application/apply-patch+yaml",
            retry: dryRun)
        return (Self.result(of: response.body, status: response.status, document: document), response.body)
    }

    /// The dry-run's answer and the object it returned, as ``ApplyFailure`` when refused.
    func dryRunPatch(_ document: ApplyDocument, force: Bool) async throws(ApplyFailure) -> (ApplyResult, Data) {
        do {
            return try await patch(document, dryRun: true, force: force)
        } catch let error as KubeError {
            throw Self.failure(error, document: document)
        } catch {
            throw ApplyFailure(.other, "\(error)")
        }
    }

    /// The result an answer (the object after the apply, JSON) describes.
    static func result(of body: Data, status: Int, document: ApplyDocument) -> ApplyResult {
        struct Answer: Decodable {
            struct Metadata: Decodable {
                struct Managed: Decodable { var manager: String? }
                var generation: Int?
                var managedFields: [Managed]?
            }
            var metadata: Metadata?
        }
        let answer = try? JSONDecoder().decode(Answer.self, from: body)
        return ApplyResult(
            document: document, created: status == 201, generation: answer?.metadata?.generation,
            managers: answer?.metadata?.managedFields?.compactMap(\.manager) ?? [])
    }

    /// The pods with a sidecar in the namespace that will use the document once applied, and notes.
    func podsReceiving(_ document: ApplyDocument) async -> ([PodKey], [String]) {
        let namespace = document.namespace
        do {
            let pods = try await client.fetch(ListProbe.self, "GET", "/api/v1/namespaces/\(namespace)/pods").response
            var sidecars: String?
            var notes: [String] = []
            do {
                let group = document.apiVersion
                let list = try await client.fetch(ListProbe.self, "GET", "/apis/\(group)/namespaces/\(namespace)/sidecars").response
                sidecars = String(decoding: list.body, as: UTF8.self)
            } catch {
                notes.append("the other Sidecars in \(namespace) could not be listed (\(error)); pods another Sidecar selects may be counted")
            }
            let inventory = try ApplyTargets.inventory(podList: String(decoding: pods.body, as: UTF8.self), sidecarList: sidecars)
            let (names, warnings) = ApplyTargets.pods(for: document, inventory: inventory)
            return (names, notes + warnings)
        } catch {
            return ([], ["the pods of \(namespace) could not be listed, so which pods get the change is unknown: \(error)"])
        }
    }

    /// An ``ApplyFailure`` for a refused PATCH: the server's message with the prefix meshtrim's client adds removed,
    /// and what to do.
    static func failure(_ error: KubeError, document: ApplyDocument) -> ApplyFailure {
        var message = error.message
        if let code = error.statusCode, let range = message.range(of: "failed with HTTP \(code): ") {
            message = String(message[range.upperBound...])
        }
        switch error.statusCode {
        case 422:
            return ApplyFailure(
                .invalid, statusCode: 422, "the API server rejected Sidecar \(document.qualifiedName) (422 Invalid): \(message)",
                hint: "fix the Sidecar (meshtrim validate shows Istio's rules) and apply again")
        case 403:
            return ApplyFailure(
                .forbidden, statusCode: 403, message,
                hint: "ask for a Role with get, create and patch on sidecars.networking.istio.io in \(document.namespace)")
        case 409:
            return ApplyFailure(
                .conflict, statusCode: 409, "field-manager conflict on Sidecar \(document.qualifiedName) (409): \(message)",
                hint: "another tool (kubectl, Helm, Argo CD) manages these fields; change the Sidecar there, or take the fields over "
                    + "with meshtrim apply --force-conflicts")
        case 404 where message.contains("namespaces \"\(document.namespace)\" not found"):
            return ApplyFailure(.notFound, statusCode: 404, message, hint: "create the namespace \(document.namespace) first")
        case 404:
            return ApplyFailure(
                .notFound, statusCode: 404, message,
                hint: "the cluster does not serve \(document.apiVersion) sidecars: is Istio installed (kubectl api-resources --api-group "
                    + "networking.istio.io)?")
        default:
            return ApplyFailure(.other, statusCode: error.statusCode, message)
        }
    }
}
