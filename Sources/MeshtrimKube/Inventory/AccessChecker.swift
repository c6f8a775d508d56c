import Foundation

/// Whether the user may do something, as a SelfSubjectAccessReview answered.
public enum AccessAnswer: Sendable, Hashable {
    /// RBAC allows it.
    case allowed
    /// RBAC does not allow it.
    case denied
    /// The review could not be made (old server, SSAR not permitted, network); meshtrim tries anyway.
    case unknown(String)

    /// Whether to try: allowed or unknown.
    public var mayTry: Bool {
        if case .denied = self { return false }
        return true
    }
}

/// Asks the API server what the current user may do (`SelfSubjectAccessReview`, JSON), caching every answer.
/// Reviews change nothing, so failed and garbled answers are retried with backoff (``KubeClient/fetch(_:_:_:query:body:contentType:compressed:)``).
///
/// Every authenticated user may create reviews (`system:basic-user`). An answer for all namespaces (`namespace`
/// `nil`) that is `denied` may still be `allowed` in one namespace, so callers ask again per namespace before
/// giving up there.
public actor AccessChecker {
    private let client: KubeClient
    private var answers: [ResourcePath: AccessAnswer] = [:]
    private var pending: [ResourcePath: Task<AccessAnswer, Never>] = [:]

    /// Makes a checker over a client.
    public init(client: KubeClient) { self.client = client }

    /// Whether `request` (verb, group, resource, subresource, namespace) is allowed.
    public func check(_ request: ResourcePath) async -> AccessAnswer {
        var key = request
        key.name = nil
        if let answer = answers[key] { return answer }
        if let task = pending[key] { return await task.value }
        let client = self.client
        let task = Task { await Self.review(key, client: client) }
        pending[key] = task
        let answer = await task.value
        pending[key] = nil
        answers[key] = answer
        return answer
    }

    /// Checks several at once.
    public func check(_ requests: [ResourcePath]) async -> [AccessAnswer] {
        await withTaskGroup(of: (Int, AccessAnswer).self) { group in
            for (index, request) in requests.enumerated() {
                group.addTask { (index, await self.check(request)) }
            }
            var results = Array(repeating: AccessAnswer.unknown("not asked"), count: requests.count)
            for await (index, answer) in group { results[index] = answer }
            return results
        }
    }

    private static func review(_ request: ResourcePath, client: KubeClient) async -> AccessAnswer {
        var attributes: [String: String] = ["verb": request.verb, "group": request.group, "resource": request.resource]
        if !request.subresource.isEmpty { attributes["subresource"] = request.subresource }
        attributes["namespace"] = request.namespace ?? ""
        struct Request: Encodable {
            struct Spec: Encodable { var resourceAttributes: [String: String] }
            var apiVersion = "authorization.k8s.io/v1"
            var kind = "SelfSubjectAccessReview"
            var spec: Spec
        }
        struct Review: Decodable {
            struct Status: Decodable {
                var allowed: Bool?
                var denied: Bool?
                var evaluationError: String?
            }
            var status: Status?
        }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(Request(spec: Request.Spec(resourceAttributes: attributes)))
            // A review changes nothing, so a failed or garbled answer is retried like a GET.
            let review = try await client.fetch(
                Review.self, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body: data, contentType: "application/json"
            ).value
            if review.status?.allowed == true { return .allowed }
            if let error = review.status?.evaluationError, !error.isEmpty, review.status?.denied != true {
                return .unknown("the access review failed: \(error)")
            }
            return .denied
        } catch let error as KubeError {
            return .unknown(error.message)
        } catch {
            return .unknown("the access review could not be read")
        }
    }
}
