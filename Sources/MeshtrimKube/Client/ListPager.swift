import Foundation

/// The pages of one Kubernetes list, as the API server returned them.
public struct ListPages: Sendable {
    /// Each page's JSON body (`{"kind":"PodList","metadata":{…},"items":[…]}`).
    public var pages: [Data]
    /// The list's `metadata.resourceVersion` (for a later watch).
    public var resourceVersion: String?
    /// The `Content-Encoding`s the pages came in (`gzip` when the server compressed them; lists ask for it).
    public var contentEncodings: Set<String> = []
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
    public func listPages(_ path: String, query: [(String, String)] = [], pageSize: Int = 500) async throws -> ListPages {
        var restarted = false
        while true {
            do {
                return try await readPages(path, query: query, pageSize: pageSize)
            } catch let error as KubeError where error.kind == .expired && !restarted {
                restarted = true
            }
        }
    }

    private func readPages(_ path: String, query: [(String, String)], pageSize: Int) async throws -> ListPages {
        struct ListMeta: Decodable {
            struct Meta: Decodable {
                var `continue`: String?
                var resourceVersion: String?
            }
            var metadata: Meta?
        }
        var pages: [Data] = []
        var encodings: Set<String> = []
        var token: String?
        var resourceVersion: String?
        repeat {
            var parameters = query
            parameters.append(("limit", String(pageSize)))
            if let token { parameters.append(("continue", token)) }
            let meta: ListMeta
            let response: KubeResponse
            do {
                (meta, response) = try await fetch(ListMeta.self, "GET", path, query: parameters, compressed: true)
            } catch let error as KubeError where error.kind == .badResponse && error.message.contains("not the expected JSON") {
                throw KubeError(.badResponse, "the answer to GET \(path) is not a Kubernetes list (tried \(options.maxAttempts) times)")
            }
            pages.append(response.body)
            if let encoding = response.contentEncoding { encodings.insert(encoding) }
            resourceVersion = resourceVersion ?? meta.metadata?.resourceVersion
            token = meta.metadata?.continue.flatMap { $0.isEmpty ? nil : $0 }
            if Task.isCancelled { throw KubeError(.cancelled, "cancelled") }
        } while token != nil
        return ListPages(pages: pages, resourceVersion: resourceVersion, contentEncodings: encodings)
    }
}
