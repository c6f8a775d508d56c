/// A kubeconfig that cannot be used, with what to do about it. Never contains a credential.
public struct KubeconfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The message.
    public var message: String

    /// Makes an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
