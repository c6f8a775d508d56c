import Foundation
import MeshtrimCore

/// A mesh read from a live cluster, with what could not be read and why.
public struct LiveInventory: Sendable {
    /// The mesh's configuration.
    public var inventory: MeshInventory
    /// What was skipped or degraded, one line each (`ServiceEntries: not installed`, `pods: listed per namespace`).
    public var notes: [String]
    /// Bytes received for the lists.
    public var bytes: Int
    /// Pages read.
    public var pages: Int

    /// The sidecars to observe: running pods with a sidecar (in `namespaces`, all when `nil`), in inventory order.
    /// One rule for `snapshot`, `report` and the UI's live observer: a pod that is not running has no Envoy to ask.
    public func observableSidecars(namespaces: [String]? = nil) -> [PodKey] {
        let wanted = namespaces.map(Set.init)
        return inventory.pods
            .filter { $0.hasSidecar && $0.phase == "Running" && wanted?.contains($0.namespace) != false }
            .map { PodKey(namespace: $0.namespace, name: $0.name) }
    }
}

/// Reads everything the scope engine needs from a cluster: namespaces, pods, Services, ServiceEntries,
/// VirtualServices, DestinationRules, Sidecars, the mesh config ConfigMap (`istio`, or `istio-<rev>` of the revision in
/// use) and the Istio version.
///
/// Lists are paginated (`limit`/`continue`) and cluster-wide; when a cluster-wide list is forbidden, each namespace is
/// listed instead (namespaces that refuse too are noted, not fatal). Istio kinds use the group's preferred version
/// from discovery; a cluster without Istio's CRDs gives a note. Each page is decoded by MeshtrimCore's manifest
/// loader as it arrives, while the next is fetched, and only the decoded objects are kept; they are added in kind
/// order (mesh config, namespaces, then each kind's pages in order, named like `pods page 3` in errors and
/// warnings), so a live cluster and `--manifests` follow exactly the same rules.
public struct InventoryLoader: Sendable {
    /// The client.
    public var client: KubeClient
    /// Items per page (kubectl's default is 500).
    public var pageSize = 500
    /// Lists read at once.
    public var concurrency = 6

    /// Makes a loader.
    public init(client: KubeClient) { self.client = client }

    struct Kind: Sendable {
        var order: Int
        var label: String
        var apiPath: String
        var resource: String
        var namespaced: Bool
        var optional: Bool
    }

    /// Loads the inventory.
    ///
    /// - Parameters:
    ///   - podNamespaces: only these namespaces' pods (`meshtrim snapshot -n`); `nil` for all. Services and Istio
    ///     configuration are always read mesh-wide, because other namespaces' services are visible to these pods.
    ///   - progress: called with a short line per finished list.
    /// - Throws: ``KubeError`` when pods cannot be listed at all, or the server cannot be reached.
    public func load(podNamespaces: [String]? = nil, progress: (@Sendable (String) -> Void)? = nil) async throws -> LiveInventory {
        let startBytes = client.bytesReceived
        async let istioGroup = istioGroupVersion()
        async let namespaceList = listNamespaces()
        let (groupVersion, servedSidecarAPIVersion, groupNote) = try await istioGroup
        let (namespacePages, knownNamespaces, namespaceNote) = try await namespaceList
        var notes = [groupNote, namespaceNote].compactMap { $0 }
        let fallbackNamespaces = podNamespaces ?? knownNamespaces ?? [client.access.namespace]

        var kinds: [Kind] = [
            Kind(order: 20, label: "pods", apiPath: "/api/v1", resource: "pods", namespaced: true, optional: false),
            Kind(order: 30, label: "Services", apiPath: "/api/v1", resource: "services", namespaced: true, optional: false),
        ]
        if let groupVersion {
            let base = "/apis/\(groupVersion)"
            kinds += [
                Kind(order: 40, label: "ServiceEntries", apiPath: base, resource: "serviceentries", namespaced: true, optional: true),
                Kind(order: 50, label: "VirtualServices", apiPath: base, resource: "virtualservices", namespaced: true, optional: true),
                Kind(order: 60, label: "DestinationRules", apiPath: base, resource: "destinationrules", namespaced: true, optional: true),
                Kind(order: 70, label: "Sidecars", apiPath: base, resource: "sidecars", namespaced: true, optional: true),
            ]
        }
        let namespaceDocuments = namespacePages.enumerated().map {
            ManifestDocument(origin: "namespaces page \($0.offset + 1)", bytes: $0.element)
        }
        let results = try await withThrowingTaskGroup(of: KindPages.self) { group in
            var pending = kinds[...]
            var running = 0
            var collected: [KindPages] = []
            func start(_ kind: Kind) {
                group.addTask {
                    let only = kind.resource == "pods" ? podNamespaces : nil
                    return try await self.list(kind, namespaces: only, fallback: fallbackNamespaces, progress: progress)
                }
            }
            while running < concurrency, let kind = pending.popFirst() {
                running += 1
                start(kind)
            }
            for try await result in group {
                collected.append(result)
                progress?("\(result.kind.label): \(result.pages.count) page\(result.pages.count == 1 ? "" : "s")")
                if let kind = pending.popFirst() { start(kind) }
            }
            return collected.sorted { $0.kind.order < $1.kind.order }
        }
        let (istiodNamespace, istiodImages) = await istiod()
        let meshConfigDocument = await meshConfig(namespace: istiodNamespace ?? "istio-system", notes: &notes)
        // The mesh config first, as a `--manifests` dump is read; then namespaces and each kind's pages in order.
        var loader = ManifestLoader()
        var pageCount = 0
        do {
            for document in (meshConfigDocument.map { [$0] } ?? []) + namespaceDocuments {
                try loader.add(document)
                pageCount += 1
            }
        } catch let error as ManifestError {
            throw Self.unreadable(error)
        }
        for result in results {
            for page in result.pages { loader.add(page) }
            pageCount += result.pages.count
            notes += result.notes
        }
        let set = loader.finish()
        notes += set.warnings
        var inventory = set.inventory
        inventory.istioVersion = Self.istioVersion(istiodImages: istiodImages, pods: inventory.pods)
        inventory.servedSidecarAPIVersion = servedSidecarAPIVersion
        if let istiodNamespace, inventory.istiodNamespace != istiodNamespace, meshConfigDocument == nil {
            inventory.istiodNamespace = istiodNamespace
        }
        return LiveInventory(inventory: inventory, notes: notes, bytes: client.bytesReceived - startBytes, pages: pageCount)
    }

    /// One kind's pages, decoded as they arrived, with what could not be listed.
    struct KindPages: Sendable {
        var kind: Kind
        var pages: [DecodedManifest]
        var notes: [String]
    }

    /// A page the manifest loader refused, as the error the live path reports.
    private static func unreadable(_ error: ManifestError) -> KubeError {
        KubeError(.badResponse, "the cluster's objects could not be read: \(error.description)")
    }

    /// The preferred `networking.istio.io` group version to list, the version to write Sidecars in when the cluster
    /// does not serve `v1` (Istio before 1.22; `nil` when it does), or a note when Istio's CRDs are not installed.
    private func istioGroupVersion() async throws -> (String?, String?, String?) {
        struct Group: Decodable {
            struct Version: Decodable { var groupVersion: String }
            var preferredVersion: Version?
            var versions: [Version]?
        }
        do {
            let group = try await client.get(Group.self, "/apis/networking.istio.io")
            let served = (group.versions ?? []).map(\.groupVersion)
            let preferred = group.preferredVersion?.groupVersion ?? served.first ?? SidecarManifest.defaultAPIVersion
            let writing = served.isEmpty || served.contains(SidecarManifest.defaultAPIVersion) ? nil : preferred
            return (preferred, writing, nil)
        } catch let error as KubeError where error.kind == .notFound {
            return (nil, nil, "Istio configuration: the networking.istio.io API is not installed (no ServiceEntries, VirtualServices, DestinationRules or Sidecars)")
        } catch let error as KubeError where error.kind == .forbidden {
            return (SidecarManifest.defaultAPIVersion, nil, nil)
        }
    }

    private func listNamespaces() async throws -> ([Data], [String]?, String?) {
        struct NamespaceList: Decodable {
            struct Item: Decodable {
                struct Meta: Decodable { var name: String }
                var metadata: Meta
            }
            var items: [Item]
        }
        do {
            let pages = try await client.listPages("/api/v1/namespaces", pageSize: pageSize).pages
            let names = pages.flatMap { (try? JSONDecoder().decode(NamespaceList.self, from: $0).items.map(\.metadata.name)) ?? [] }
            return (pages, names, nil)
        } catch let error as KubeError where error.kind == .forbidden {
            return ([], nil, "namespaces: listing them is not permitted; reading namespace \(client.access.namespace) only (use -n to name others)")
        }
    }

    /// One kind, cluster-wide or per namespace, each page decoded as it arrives (named like `pods page 3` or
    /// `pods in shop page 1` in errors and warnings); every fifth page of a long list is a progress line
    /// (`reading pods: page 35…`).
    private func list(
        _ kind: Kind, namespaces only: [String]?, fallback: [String], progress: (@Sendable (String) -> Void)?
    ) async throws -> KindPages {
        func pages(in namespace: String?) async throws -> [DecodedManifest] {
            let place = namespace.map { " in \($0)" } ?? ""
            let path = namespace.map { "\(kind.apiPath)/namespaces/\($0)/\(kind.resource)" } ?? "\(kind.apiPath)/\(kind.resource)"
            let label = kind.label
            return try await client.listPages(path, pageSize: pageSize) { body, number in
                if number % 5 == 0 { progress?("reading \(label)\(place): page \(number)…") }
                do {
                    return try ManifestLoader.decode(ManifestDocument(origin: "\(label)\(place) page \(number)", bytes: body))
                } catch let error as ManifestError {
                    throw Self.unreadable(error)
                }
            }.pages
        }
        if only == nil {
            do {
                return KindPages(kind: kind, pages: try await pages(in: nil), notes: [])
            } catch let error as KubeError where error.kind == .forbidden {
                // Fall through to one list per namespace.
            } catch let error as KubeError where error.kind == .notFound && kind.optional {
                return KindPages(kind: kind, pages: [], notes: ["\(kind.label): not served by this cluster (\(error.message))"])
            }
        }
        var listed: [DecodedManifest] = []
        var refused: [String] = []
        for namespace in only ?? fallback {
            do {
                listed += try await pages(in: namespace)
            } catch let error as KubeError where error.kind == .forbidden || (error.kind == .notFound && kind.optional) {
                refused.append(namespace)
            }
        }
        var notes: [String] = []
        if only == nil { notes.append("\(kind.label): listing in all namespaces is not permitted; listed per namespace") }
        if !refused.isEmpty {
            if kind.resource == "pods", refused.count == (only ?? fallback).count {
                throw KubeError(
                    .forbidden, statusCode: 403,
                    "\(client.access.who) may not list pods in \(refused.count == 1 ? "namespace \(refused[0])" : "any of the namespaces \(refused.joined(separator: ", "))"); "
                        + "meshtrim needs list pods (kubectl auth can-i list pods -A)")
            }
            notes.append("\(kind.label): not permitted in \(refused.joined(separator: ", "))")
        }
        return KindPages(kind: kind, pages: listed, notes: notes)
    }

    /// The istiod pods' namespace and container images.
    private func istiod() async -> (String?, [String]) {
        struct PodList: Decodable {
            struct Item: Decodable {
                struct Meta: Decodable { var namespace: String? }
                struct Spec: Decodable {
                    struct Container: Decodable {
                        var name: String?
                        var image: String?
                    }
                    var containers: [Container]?
                }
                var metadata: Meta
                var spec: Spec?
            }
            var items: [Item]
        }
        let query = [("labelSelector", "app=istiod")]
        var list = try? await client.get(PodList.self, "/api/v1/pods", query: query)
        if list == nil { list = try? await client.get(PodList.self, "/api/v1/namespaces/istio-system/pods", query: query) }
        guard let items = list?.items, !items.isEmpty else { return (nil, []) }
        let images = items.flatMap { item in
            (item.spec?.containers ?? []).filter { $0.name == "discovery" || ($0.image ?? "").contains("/pilot:") || ($0.image ?? "").hasPrefix("pilot:") }
                .compactMap(\.image)
        }
        return (items[0].metadata.namespace, images)
    }

    /// The mesh config ConfigMaps of the istiod namespace: `istio` and every `istio-<rev>` with a `mesh` key, as one
    /// List for the manifest loader, which picks the one of the revision in use exactly as for `--manifests`.
    ///
    /// One list of the namespace's ConfigMaps, filtered here (no selector matches a name prefix); when listing is
    /// forbidden, a get of `istio` as before, with a note that a revision's own ConfigMap was not seen.
    private func meshConfig(namespace: String, notes: inout [String]) async -> ManifestDocument? {
        do {
            let pages = try await client.listPages("/api/v1/namespaces/\(namespace)/configmaps", pageSize: pageSize).pages
            var maps: [JSONValue] = []
            for page in pages {
                for var item in (try? JSONValue.parse(page))?["items"]?.arrayValue ?? [] {
                    let name = item.value(at: "metadata.name")?.stringValue ?? ""
                    guard name == "istio" || name.hasPrefix("istio-"), item.value(at: "data.mesh") != nil else { continue }
                    // API list items carry no kind.
                    item["kind"] = "ConfigMap"
                    item["apiVersion"] = "v1"
                    maps.append(item)
                }
            }
            guard !maps.isEmpty else {
                notes.append("mesh config: no ConfigMap istio or istio-<rev> in \(namespace); using Istio's defaults")
                return nil
            }
            let list: JSONValue = ["apiVersion": "v1", "kind": "List", "items": .array(maps)]
            return ManifestDocument(origin: "mesh config ConfigMaps in \(namespace)", bytes: list.encoded())
        } catch let error as KubeError where error.kind == .forbidden {
            notes.append(
                "mesh config: listing ConfigMaps in \(namespace) is not permitted; reading ConfigMap istio only "
                    + "(a revisioned install's istio-<rev> is not seen)")
        } catch {
            // Read ConfigMap istio as below; its error is the one worth a note.
        }
        do {
            let response = try await client.send("GET", "/api/v1/namespaces/\(namespace)/configmaps/istio")
            return ManifestDocument(origin: "ConfigMap \(namespace)/istio", bytes: response.body)
        } catch let error as KubeError {
            switch error.kind {
            case .notFound: notes.append("mesh config: no ConfigMap istio in \(namespace); using Istio's defaults")
            case .forbidden: notes.append("mesh config: reading ConfigMap \(namespace)/istio is not permitted; using Istio's defaults")
            default: notes.append("mesh config: \(error.message); using Istio's defaults")
            }
            return nil
        } catch {
            return nil
        }
    }

    /// istiod's image tag (`pilot:1.24.2`), else the most common sidecar proxy version.
    static func istioVersion(istiodImages: [String], pods: [Pod]) -> IstioVersion? {
        for image in istiodImages {
            let last = image.split(separator: "/").last.map(String.init) ?? image
            if let colon = last.lastIndex(of: ":"), let version = IstioVersion(String(last[last.index(after: colon)...])) { return version }
        }
        var counts: [IstioVersion: Int] = [:]
        for pod in pods where pod.hasSidecar {
            if let text = pod.proxyVersion, let version = IstioVersion(text) { counts[version, default: 0] += 1 }
        }
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }
}
