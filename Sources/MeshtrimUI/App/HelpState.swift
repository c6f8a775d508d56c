/// The `?` overlay's scroll position.
public struct HelpState: Hashable, Sendable {
    /// The first line shown.
    public var offset: Int

    /// Makes the overlay state.
    public init(offset: Int = 0) { self.offset = offset }
}
