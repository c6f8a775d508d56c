import Foundation
import MeshtrimCore

/// The pages of one Kubernetes list, as the API server returned them or as a reader made them of each.
public struct ListPages<Page: Sendable>: Sendable {
    /// Each page: its JSON body (`{"kind":"PodList","metadata":{…},"items":[…]}`), or what the reader made of it.
    public var pages: [Page]
    /// The list's `metadata.resourceVersion` (for a later watch).
    public var resourceVersion: String?
    /// The `Content-Encoding`s the pages came in (`gzip` when the server compressed them; lists ask for it).
    public var contentEncodings: Set<String> = []
}

/// What a list page says about the list: where the next page starts, and the list's version.
private struct ListMeta: Decodable {
    struct Meta: Decodable {
        var `continue`: String?
        var resourceVersion: String?
    }
    var metadata: Meta?

    /// Why a page is not a list: not one well-formed JSON object.
    struct NotAList: Error, CustomStringConvertible {
        var description: String { "not one well-formed JSON object" }
    }

    /// The page's `metadata`, decoded alone: the page is scanned once (which finds a cut-off or garbled page) and
    /// its items are left to the page's reader instead of being decoded twice.
    static func read(_ page: Data) throws -> ListMeta {
        guard let ranges = JSONTopLevelScanner.valueRanges(in: page) else { throw NotAList() }
        guard let metadata = ranges["metadata"] else { return ListMeta(metadata: nil) }
        return ListMeta(metadata: try JSONDecoder().decode(Meta.self, from: page.subdata(in: metadata)))
    }
}

extension KubeClient {
    /// Reads a whole list with `limit`/`continue`, as kubectl does (500 per page by default), asking for gzip.
    ///
    /// An expired `continue` token (410) restarts the list once from the beginning; a page that is cut off or not a
    /// list (garbled) is fetched again, like any failed GET (``KubeClient/fetch(_:_:_:query:body:contentType:compressed:)``).
    ///
    /// - Parameters:
    ///   - path: the list path (`/api/v1/pods`, `/apis/networking.istio.io/v1/namespaces/shop/sidecars`).
    ///   - query: extra parameters (`labelSelector`, `fieldSelector`).
    /// - Throws: ``KubeError`` (a 403 names the verb and resource).
    public func listPages(_ path: String, query: [(String, String)] = [], pageSize: Int = 500) async throws -> ListPages<Data> {
        try await listPages(path, query: query, pageSize: pageSize) { body, _ in body }
    }

    /// Reads a whole list as ``listPages(_:query:pageSize:)`` does, handing each page's body to `read` as it
    /// arrives; `read` runs while the next page is fetched, and only what it returns is kept, so a 50,000-pod list
    /// is decoded as it streams in and never held as JSON all at once.
    ///
    /// A restarted list (expired `continue` token) reads every page again and drops what the first attempt read.
    ///
    /// - Parameter read: makes a page of a body and its 1-based number; its error ends the list.
    /// - Throws: ``KubeError``, or what `read` threw.
    public func listPages<Page: Sendable>(
        _ path: String, query: [(String, String)] = [], pageSize: Int = 500,
        reading read: @escaping @Sendable (_ body: Data, _ number: Int) throws -> Page
    ) async throws -> ListPages<Page> {
        var restarted = false
        while true {
            do {
                return try await readPages(path, query: query, pageSize: pageSize, read: read)
            } catch let error as KubeError where error.kind == .expired && !restarted {
                restarted = true
            }
        }
    }

    private func readPages<Page: Sendable>(
        _ path: String, query: [(String, String)], pageSize: Int,
        read: @escaping @Sendable (Data, Int) throws -> Page
    ) async throws -> ListPages<Page> {
        var pages: [Page] = []
        var encodings: Set<String> = []
        var token: String?
        var resourceVersion: String?
        // The page being read while the next is fetched.
        var reading: Task<Page, Error>?
        defer { reading?.cancel() }
        var fetched = 0
        repeat {
            var parameters = query
            parameters.append(("limit", String(pageSize)))
            if let token { parameters.append(("continue", token)) }
            let meta: ListMeta
            let response: KubeResponse
            do {
                (meta, response) = try await fetch("GET", path, query: parameters, compressed: true, read: ListMeta.read)
            } catch let error as KubeError where error.kind == .badResponse && error.message.contains("not the expected JSON") {
                throw KubeError(.badResponse, "the answer to GET \(path) is not a Kubernetes list (tried \(options.maxAttempts) times)")
            }
            if let previous = reading { pages.append(try await previous.value) }
            fetched += 1
            let body = response.body
            let number = fetched
            reading = Task.detached { try read(body, number) }
            if let encoding = response.contentEncoding { encodings.insert(encoding) }
            resourceVersion = resourceVersion ?? meta.metadata?.resourceVersion
            token = meta.metadata?.continue.flatMap { $0.isEmpty ? nil : $0 }
            if Task.isCancelled { throw KubeError(.cancelled, "cancelled") }
        } while token != nil
        if let last = reading {
            reading = nil
            pages.append(try await last.value)
        }
        return ListPages(pages: pages, resourceVersion: resourceVersion, contentEncodings: encodings)
    }
}
