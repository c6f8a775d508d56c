import Foundation

/// One text of Kubernetes manifests (YAML or JSON, one or many documents, `kind: List`) with where it came from.
///
/// Core reads manifests from documents, never from files: the edge reads a file, standard input or a page of a live
/// list and hands its bytes over with an origin (a path, `-`, `pods page 3`) that every error and warning names as
/// `origin:line`, so that a person knows what to fix.
public struct ManifestDocument: Sendable, Hashable {
    /// Where the bytes came from, as errors name it: a file path, `-` for standard input, `pods page 3`.
    public var origin: String
    /// The text as read; checked to be UTF-8 without NUL bytes when it is loaded.
    public var bytes: Data

    /// Makes a document of `bytes` read from `origin`.
    public init(origin: String, bytes: Data) {
        self.origin = origin
        self.bytes = bytes
    }

    /// Makes a document of `text` (tests, and manifests built in memory).
    public init(origin: String, text: String) {
        self.init(origin: origin, bytes: Data(text.utf8))
    }
}
