/// One manifest document decoded but not yet added to a mesh: what ``ManifestLoader/decode(_:)``
/// gives and ``ManifestLoader/add(_:)-(DecodedManifest)`` takes.
///
/// A live list decodes each page as it arrives (concurrently with fetching the next and with other kinds' lists)
/// and keeps only this, not the page's JSON; the pages are then added in kind order, so the mesh is built exactly as
/// from the same documents read one after another.
public struct DecodedManifest: Sendable {
    /// Where the document came from (`pods page 3`), for `file:line` sources and messages.
    public let origin: String
    /// The objects meshtrim uses, with their 1-based start lines.
    let objects: [(KubernetesObject, Int)]
    /// The document's Sidecars as written, with the namespaces they name (the adding loader supplies its default).
    let sidecarOriginals: [SidecarOriginals.Original]
}
