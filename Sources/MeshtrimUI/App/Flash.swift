/// A transient message on the flash line.
public struct Flash: Hashable, Sendable {
    /// Info or error.
    public enum Kind: Hashable, Sendable {
        /// Good news or a hint.
        case info
        /// Something failed.
        case error
    }

    /// The text.
    public var message: String
    /// Its kind.
    public var kind: Kind
    /// Its id: a `tick(id)` for it clears it.
    public var id: Int

    /// Makes a flash.
    public init(_ message: String, kind: Kind, id: Int) {
        self.message = message
        self.kind = kind
        self.id = id
    }
}
