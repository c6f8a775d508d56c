import Foundation

/// The `Status` body of a failed Kubernetes request.
public struct KubeStatus: Decodable, Hashable, Sendable {
    /// Details of a Status.
    public struct Details: Decodable, Hashable, Sendable {
        /// The object's name, when the failure is about one object.
        public var name: String?
        /// The group.
        public var group: String?
        /// The kind or resource.
        public var kind: String?
    }

    /// `Failure` or `Success`.
    public var status: String?
    /// The human-readable message (shown verbatim).
    public var message: String?
    /// `Unauthorized`, `Forbidden`, `NotFound`, `Expired`, …
    public var reason: String?
    /// The HTTP code.
    public var code: Int?
    /// Details.
    public var details: Details?

    /// Decodes a Status body; `nil` when the body is not one.
    public static func decode(_ data: Data) -> KubeStatus? {
        guard let status = try? JSONDecoder().decode(KubeStatus.self, from: data), status.message != nil || status.reason != nil else {
            return nil
        }
        return status
    }
}
