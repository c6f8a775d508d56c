/// A kubeconfig that cannot be used, with what to do about it. Never contains a credential.
public struct KubeconfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message.
    public var message: String
    /// Whether there is no kubeconfig at all (no file, no in-cluster service account), as opposed to a broken one.
    public var isMissing: Bool

    /// Makes an error.
    public init(_ message: String, isMissing: Bool = false) {
        self.message = message
        self.isMissing = isMissing
    }

    /// The message.
    public var description: String { message }
}
