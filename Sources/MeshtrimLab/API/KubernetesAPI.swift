import Foundation
import MeshtrimCore

/// The lab's Kubernetes API: discovery, lists, Sidecar writes, the pod proxy, PodMetrics and access reviews.
///
/// It answers ``APIRequest``s with ``APIResponse``s and knows nothing about HTTP servers, so it is tested directly;
/// ``LabServer`` puts it behind HTTPS. Every failure is a Kubernetes `Status`.
public struct KubernetesAPI: Sendable {
    /// The object store.
    public let store: LabStore
    /// The Envoys, when the lab runs them.
    public let fleet: EnvoyFleet?
    /// Synthetic Envoy stats instead of Envoys (`--synthetic-envoy`): the pod proxy and port-forward answer from them.
    public var synthetic: SyntheticEnvoys?
    /// The scenario (pods for metrics, traffic for Istio metrics).
    public let scenario: LabScenario
    /// `host:port` of the server, for `/api`.
    public var serverAddress: String
    /// The Kubernetes version the lab claims (`/version`, and how port-forward is authorised).
    public var kubernetesVersion = LabKubernetesVersion.default
    /// When the lab started (metric counters grow from it).
    public let startedAt: Date
    private let admission: SidecarAdmission
    private let servicesByHost: [String: MeshService]
    private let podsByKey: [String: Pod]
    /// Restarts a pod's Istio counters when its Envoy restarts.
    private let counterEpochs: CounterEpochs
    /// The `networking.istio.io` versions served, preferred first (`v1beta1`, `v1alpha3` for Istio before 1.22).
    public let istioVersions: [String]

    /// Makes the API over a store and (optionally) a fleet.
    public init(
        store: LabStore, fleet: EnvoyFleet?, scenario: LabScenario, serverAddress: String = "127.0.0.1:6443", istioVersions: [String] = ["v1"]
    ) {
        self.istioVersions = istioVersions.isEmpty ? ["v1"] : istioVersions
        self.store = store
        self.fleet = fleet
        self.scenario = scenario
        self.serverAddress = serverAddress
        self.startedAt = Date()
        counterEpochs = CounterEpochs(labStart: startedAt)
        admission = SidecarAdmission(version: scenario.inventory.istioVersion ?? .defaultVersion)
        servicesByHost = Dictionary(scenario.inventory.services.map { ($0.hostname, $0) }, uniquingKeysWith: { first, _ in first })
        podsByKey = Dictionary(scenario.inventory.pods.map { ("\($0.namespace)/\($0.name)", $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Answers a request; never throws: failures become Status answers.
    ///
    /// JSON answers of 128 KiB or more go out gzip-compressed when the request accepts gzip, as the API server's
    /// `APIResponseCompression` does (kubectl's transport asks on every request; meshtrim on lists).
    public func handle(_ request: APIRequest) async -> APIResponse {
        var response = await answer(request)
        let accepted = (request.headers["accept-encoding"] ?? "").split(separator: ",").contains {
            $0.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "gzip"
        }
        if accepted, response.body.count >= Self.gzipThreshold, response.contentType.hasPrefix("application/json") {
            response.body = Data(Gzip.compress(Array(response.body)))
            response.headers["Content-Encoding"] = "gzip"
        }
        return response
    }

    /// The API server's `defaultGzipThresholdBytes`.
    static let gzipThreshold = 128 * 1024

    private func answer(_ request: APIRequest) async -> APIResponse {
        do {
            return try await route(request)
        } catch let status as KubernetesStatus {
            return .status(status)
        } catch {
            return .status(KubernetesStatus(code: 500, reason: "InternalError", message: "Internal error occurred: \(error)"))
        }
    }

    private func route(_ request: APIRequest) async throws -> APIResponse {
        let segments = request.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        switch segments.first {
        case nil:
            return .json(["paths": ["/api", "/api/v1", "/apis", "/openapi/v3", "/version", "/healthz"]])
        case "version":
            return .json(kubernetesVersion.document)
        case "healthz", "livez", "readyz":
            return .text("ok")
        case "openapi":
            return try openAPI(Array(segments.dropFirst()))
        case "lab":
            return try await labStatus(Array(segments.dropFirst()))
        case "api":
            if segments.count == 1 { return .json(Discovery.coreVersions(serverAddress: serverAddress)) }
            guard segments[1] == "v1" else { throw KubernetesStatus.pathNotFound }
            if segments.count == 2 { return .json(try found(Discovery.resourceList(group: "", version: "v1"))) }
            return try await resource(request, group: "", version: "v1", rest: Array(segments.dropFirst(2)))
        case "apis":
            if segments.count == 1 { return .json(Discovery.groupList(istioVersions: istioVersions)) }
            if segments.count == 2 { return .json(try found(Discovery.group(named: segments[1], istioVersions: istioVersions))) }
            if segments[1] == LabResource.sidecars.group {
                // The Istio kinds are held as v1 and served as the version asked for, if it is served at all.
                guard istioVersions.contains(segments[2]) else { throw KubernetesStatus.pathNotFound }
                let version = segments[2]
                if segments.count == 3 { return .json(try found(Discovery.resourceList(group: segments[1], version: "v1", servedAs: version))) }
                try checkBodyVersion(request, groupVersion: "\(segments[1])/\(version)")
                let response = try await resource(request, group: segments[1], version: "v1", rest: Array(segments.dropFirst(3)))
                return version == "v1" ? response : response.servingIstio(as: version)
            }
            if segments.count == 3 { return .json(try found(Discovery.resourceList(group: segments[1], version: segments[2]))) }
            return try await resource(request, group: segments[1], version: segments[2], rest: Array(segments.dropFirst(3)))
        default:
            throw KubernetesStatus.pathNotFound
        }
    }

    /// A written object must name the URL's group version, as the API server insists (`the API version in the data
    /// (networking.istio.io/v1) does not match the expected API version (networking.istio.io/v1beta1)`).
    private func checkBodyVersion(_ request: APIRequest, groupVersion: String) throws {
        guard ["POST", "PUT"].contains(request.method)
            || (request.method == "PATCH" && (request.headers["content-type"] ?? "").hasPrefix("application/apply-patch"))
        else { return }
        guard let body = try? SidecarAdmission.parseBody(request.body, contentType: "application/yaml"),
            let given = body["apiVersion"]?.stringValue, given != groupVersion
        else { return }
        throw KubernetesStatus.badRequest(
            "the API version in the data (\(given)) does not match the expected API version (\(groupVersion))")
    }

    private func found(_ value: JSONValue?) throws -> JSONValue {
        guard let value else { throw KubernetesStatus.pathNotFound }
        return value
    }

    private func openAPI(_ segments: [String]) throws -> APIResponse {
        guard segments.first == "v3" else { throw KubernetesStatus.pathNotFound }
        let rest = Array(segments.dropFirst())
        if rest.isEmpty { return .json(OpenAPIDocument.index(istioVersions: istioVersions)) }
        if rest == ["api", "v1"] { return .json(try found(OpenAPIDocument.document(group: "", version: "v1"))) }
        if rest.count == 3, rest[0] == "apis", rest[1] == LabResource.sidecars.group {
            guard istioVersions.contains(rest[2]) else { throw KubernetesStatus.pathNotFound }
            return .json(try found(OpenAPIDocument.document(group: rest[1], version: "v1", servedAs: rest[2])))
        }
        if rest.count == 3, rest[0] == "apis" { return .json(try found(OpenAPIDocument.document(group: rest[1], version: rest[2]))) }
        throw KubernetesStatus.pathNotFound
    }

    /// `/lab/status`: the Envoy groups (ports, pids, predicted clusters), for tests and people debugging a lab.
    private func labStatus(_ segments: [String]) async throws -> APIResponse {
        guard segments == ["status"] else { throw KubernetesStatus.pathNotFound }
        let groups = await fleet?.status() ?? []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = (try? encoder.encode(["envoys": groups])) ?? Data("{}".utf8)
        return APIResponse(status: 200, contentType: "application/json", body: data)
    }

    // MARK: Resources

    private func resource(_ request: APIRequest, group: String, version: String, rest: [String]) async throws -> APIResponse {
        var rest = rest
        var namespace: String?
        if rest.count >= 3, rest[0] == "namespaces" {
            namespace = rest[1]
            rest.removeFirst(2)
        }
        guard let plural = rest.first, let resource = LabResource.find(group: group, version: version, plural: plural) else {
            throw KubernetesStatus.pathNotFound
        }
        let name = rest.count > 1 ? rest[1] : nil
        let subresource = rest.count > 2 ? rest[2] : ""
        if resource == .selfSubjectAccessReviews {
            guard request.method == "POST" else { throw KubernetesStatus.methodNotAllowed(request.method, path: request.path) }
            try authorize(request, verb: "create", resource: resource, subresource: "", namespace: nil, name: nil)
            return try accessReview(request)
        }
        if resource.group == "metrics.k8s.io" { return try await metrics(request, resource: resource, namespace: namespace, name: name) }
        if resource == .pods, let name, subresource == "proxy" {
            try authorize(request, verb: request.method == "GET" ? "get" : "create", resource: resource, subresource: "proxy", namespace: namespace, name: name)
            return try await podProxy(request, namespace: namespace ?? "default", target: name, path: "/" + rest.dropFirst(3).joined(separator: "/"))
        }
        if resource == .pods, let name, subresource == "portforward" {
            // Not upgraded: a WebSocket GET the user may not make (per version), or no upgrade at all.
            for verb in kubernetesVersion.portForwardVerbs(webSocket: request.method == "GET") {
                try authorize(request, verb: verb, resource: resource, subresource: "portforward", namespace: namespace, name: name)
            }
            throw KubernetesStatus.badRequest("Upgrade request required")
        }
        guard subresource.isEmpty else { throw KubernetesStatus.pathNotFound }
        if resource.namespaced == false, namespace != nil { throw KubernetesStatus.pathNotFound }

        switch (request.method, name) {
        case ("GET", nil):
            try authorize(request, verb: request.parameter("watch") == "true" || request.parameter("watch") == "1" ? "watch" : "list", resource: resource, subresource: "", namespace: namespace, name: nil)
            if request.parameter("watch") == "true" || request.parameter("watch") == "1" {
                throw KubernetesStatus(code: 405, reason: "MethodNotAllowed", message: "the lab does not serve watches; list again instead")
            }
            return try await list(request, resource: resource, namespace: namespace)
        case ("GET", let name?):
            try authorize(request, verb: "get", resource: resource, subresource: "", namespace: namespace, name: name)
            return .json(try await store.get(resource, namespace: namespace ?? "", name: name))
        case ("POST", nil):
            try authorize(request, verb: "create", resource: resource, subresource: "", namespace: namespace, name: nil)
            return try await createSidecar(request, resource: resource, namespace: namespace)
        case ("PATCH", let name?):
            try authorize(request, verb: "patch", resource: resource, subresource: "", namespace: namespace, name: name)
            return try await patchSidecar(request, resource: resource, namespace: namespace, name: name)
        case ("PUT", let name?):
            try authorize(request, verb: "update", resource: resource, subresource: "", namespace: namespace, name: name)
            return try await replaceSidecar(request, resource: resource, namespace: namespace, name: name)
        case ("DELETE", let name?):
            try authorize(request, verb: "delete", resource: resource, subresource: "", namespace: namespace, name: name)
            guard resource == .sidecars else { throw writeRefused(resource) }
            let dryRun = try WriteOptions.dryRun(request, options: "DeleteOptions")
            let object = try await store.delete(resource, namespace: namespace ?? "", name: name, dryRun: dryRun)
            return .json(object)
        default:
            throw KubernetesStatus.methodNotAllowed(request.method, path: request.path)
        }
    }

    private func authorize(_ request: APIRequest, verb: String, resource: LabResource, subresource: String, namespace: String?, name: String?) throws {
        guard request.user.may(verb, resource: resource.plural, subresource: subresource) else {
            throw KubernetesStatus.forbidden(
                user: request.user.name, verb: verb, resource: subresource.isEmpty ? resource.plural : "\(resource.plural)/\(subresource)",
                group: resource.group, namespace: namespace, name: name)
        }
    }

    private func writeRefused(_ resource: LabResource) -> KubernetesStatus {
        KubernetesStatus(
            code: 405, reason: "MethodNotAllowed",
            message: "the lab serves \(resource.qualifiedName) read-only; only sidecars.networking.istio.io can be created, applied or deleted")
    }

    private func list(_ request: APIRequest, resource: LabResource, namespace: String?) async throws -> APIResponse {
        let labels = try request.parameter("labelSelector").map { try LabelSelectorQuery(parsing: $0) }
        let fields = try request.parameter("fieldSelector").map { try LabelSelectorQuery(parsing: $0) }
        var limit: Int?
        if let text = request.parameter("limit"), !text.isEmpty {
            guard let value = Int(text), value >= 0 else { throw KubernetesStatus.badRequest("limit must be a non-negative integer, got \(text)") }
            limit = value
        }
        let page = try await store.list(
            resource, namespace: namespace, labelSelector: labels, fieldSelector: fields, limit: limit,
            continueToken: request.parameter("continue"))
        if TableRenderer.wantsTable(accept: request.headers["accept"] ?? "") {
            return .json(TableRenderer.table(resource: resource, page: page))
        }
        var metadata: [String: JSONValue] = ["resourceVersion": .string(String(page.resourceVersion))]
        if let token = page.continueToken { metadata["continue"] = .string(token) }
        if let remaining = page.remainingItemCount { metadata["remainingItemCount"] = .int(remaining) }
        // As a real API server encodes a typed list: the items carry no kind or apiVersion (the list says them once;
        // kubectl adds them back when it prints), so clients must take them from the list.
        let items: [JSONValue] = page.items.map { item in
            guard case .object(var fields) = item else { return item }
            fields["kind"] = nil
            fields["apiVersion"] = nil
            return .object(fields)
        }
        return .json([
            "kind": .string(resource.listKind), "apiVersion": .string(resource.groupVersion), "metadata": .object(metadata),
            "items": .array(items),
        ])
    }

    // MARK: Sidecar writes

    private func createSidecar(_ request: APIRequest, resource: LabResource, namespace: String?) async throws -> APIResponse {
        guard resource == .sidecars, let namespace else { throw writeRefused(resource) }
        let dryRun = try WriteOptions.dryRun(request, options: "CreateOptions")
        try await requireNamespace(namespace)
        let body = try SidecarAdmission.parseBody(request.body, contentType: request.headers["content-type"] ?? "application/json")
        let object = try admission.admit(body, namespace: namespace, name: nil)
        let created = try await store.create(
            resource, object: object, fieldManager: WriteOptions.fieldManager(request, default: "kubectl-create"), dryRun: dryRun)
        return .json(created, status: 201)
    }

    /// PATCH: server-side apply, JSON merge patch or JSON patch, by `Content-Type`, as the API server serves a custom
    /// resource (strategic merge patch is not among them).
    private func patchSidecar(_ request: APIRequest, resource: LabResource, namespace: String?, name: String) async throws -> APIResponse {
        guard resource == .sidecars, let namespace else { throw writeRefused(resource) }
        let media = (request.headers["content-type"] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch media {
        case "application/apply-patch+yaml", "application/apply-patch+json":
            return try await applySidecar(request, resource: resource, namespace: namespace, name: name)
        case "application/merge-patch+json", "application/json-patch+json":
            let dryRun = try WriteOptions.dryRun(request, options: "PatchOptions")
            let patch: JSONValue
            do { patch = try JSONValue.parse(request.body) } catch { throw KubernetesStatus.badRequest("error decoding patch: \(error)") }
            let admission = self.admission
            let updated = try await store.update(
                resource, namespace: namespace, name: name, fieldManager: WriteOptions.fieldManager(request, default: "unknown"), dryRun: dryRun
            ) { stored in
                var live = stored
                live["metadata"]?["managedFields"] = nil
                let patched = media == "application/merge-patch+json" ? JSONPatch.merge(patch, into: live) : try JSONPatch.apply(patch, to: live)
                return try admission.admit(patched, namespace: namespace, name: name)
            }
            return .json(updated)
        default:
            throw KubernetesStatus(
                code: 415, reason: "UnsupportedMediaType",
                message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, "
                    + "application/merge-patch+json, application/apply-patch+yaml")
        }
    }

    /// PUT: the whole object, with a stale `metadata.resourceVersion` refused as 409.
    private func replaceSidecar(_ request: APIRequest, resource: LabResource, namespace: String?, name: String) async throws -> APIResponse {
        guard resource == .sidecars, let namespace else { throw writeRefused(resource) }
        let dryRun = try WriteOptions.dryRun(request, options: "UpdateOptions")
        let body = try SidecarAdmission.parseBody(request.body, contentType: request.headers["content-type"] ?? "application/json")
        let object = try admission.admit(body, namespace: namespace, name: name)
        let updated = try await store.update(
            resource, namespace: namespace, name: name, fieldManager: WriteOptions.fieldManager(request, default: "unknown"), dryRun: dryRun
        ) { _ in object }
        return .json(updated)
    }

    private func applySidecar(_ request: APIRequest, resource: LabResource, namespace: String, name: String) async throws -> APIResponse {
        guard let manager = request.parameter("fieldManager"), !manager.isEmpty else {
            throw KubernetesStatus(
                code: 422, reason: "Invalid", message: "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                causes: [.init(reason: "FieldValueRequired", message: "Required value: is required for apply patch", field: "fieldManager")])
        }
        let dryRun = try WriteOptions.dryRun(request, options: "PatchOptions")
        try await requireNamespace(namespace)
        let body = try SidecarAdmission.parseBody(request.body, contentType: "application/apply-patch+yaml")
        let object = try admission.admit(body, namespace: namespace, name: name, validating: false)
        let admission = self.admission
        let result = try await store.apply(
            resource, object: object, fieldManager: manager, force: request.parameter("force") == "true", dryRun: dryRun
        ) { merged in _ = try admission.admit(merged, namespace: namespace, name: name) }
        return .json(result.object, status: result.created ? 201 : 200)
    }

    private func requireNamespace(_ namespace: String) async throws {
        guard await store.namespaceExists(namespace) else {
            throw KubernetesStatus.notFound(resource: "namespaces", group: "", name: namespace)
        }
    }

    // MARK: SelfSubjectAccessReview

    private func accessReview(_ request: APIRequest) throws -> APIResponse {
        let contentType = request.headers["content-type"] ?? "application/json"
        guard contentType.hasPrefix("application/json") else { throw KubernetesStatus.unsupportedMediaType(contentType) }
        let review: JSONValue
        do { review = try JSONValue.parse(request.body) } catch { throw KubernetesStatus.badRequest("\(error)") }
        var allowed = true
        var reason = ""
        if let attributes = review.value(at: "spec.resourceAttributes") {
            let verb = attributes["verb"]?.stringValue ?? ""
            let resource = attributes["resource"]?.stringValue ?? ""
            let subresource = attributes["subresource"]?.stringValue ?? ""
            allowed = request.user.may(verb, resource: resource, subresource: subresource)
            reason = allowed
                ? "RBAC: allowed by ClusterRoleBinding \"meshtrim-lab-\(request.user.isReadOnly ? "view" : "admin")\" of ClusterRole \"\(request.user.isReadOnly ? "view" : "cluster-admin")\" to User \"\(request.user.name)\""
                : ""
        } else if let attributes = review.value(at: "spec.nonResourceAttributes") {
            allowed = attributes["verb"]?.stringValue == "get" || !request.user.isReadOnly
        } else {
            throw KubernetesStatus(
                code: 422, reason: "Invalid", message: "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified",
                causes: [.init(reason: "FieldValueInvalid", message: "exactly one of nonResourceAttributes or resourceAttributes must be specified", field: "spec")])
        }
        var answer = review
        answer["apiVersion"] = "authorization.k8s.io/v1"
        answer["kind"] = "SelfSubjectAccessReview"
        answer["metadata"] = ["creationTimestamp": .null]
        var status: [String: JSONValue] = ["allowed": .bool(allowed)]
        if !reason.isEmpty { status["reason"] = .string(reason) }
        answer["status"] = .object(status)
        return .json(answer, status: 201)
    }

    // MARK: Metrics

    private func metrics(_ request: APIRequest, resource: LabResource, namespace: String?, name: String?) async throws -> APIResponse {
        try authorize(request, verb: name == nil ? "list" : "get", resource: resource, subresource: "", namespace: namespace, name: name)
        let now = Date()
        let timestamp = ISO8601DateFormatter().string(from: now)
        if resource == .nodeMetrics {
            let nodes: [JSONValue] = (1...3).map { index in
                [
                    "metadata": ["name": .string("lab-node-\(index)"), "creationTimestamp": .string(timestamp)],
                    "timestamp": .string(timestamp), "window": "20.05s",
                    "usage": ["cpu": "412345678n", "memory": "3145728Ki"],
                ]
            }
            if let name {
                guard let node = nodes.first(where: { $0.value(at: "metadata.name")?.stringValue == name }) else {
                    throw KubernetesStatus.notFound(resource: "nodes", group: "metrics.k8s.io", name: name)
                }
                return .json(node.merging(kind: "NodeMetrics"))
            }
            return .json(["kind": "NodeMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": [:], "items": .array(nodes)])
        }
        let labels = try request.parameter("labelSelector").map { try LabelSelectorQuery(parsing: $0) }
        var items: [JSONValue] = []
        for pod in scenario.inventory.pods where pod.phase == "Running" {
            if let namespace, pod.namespace != namespace { continue }
            if let name, pod.name != name { continue }
            if let labels, !labels.matches(pod.labels) { continue }
            items.append(await podMetrics(pod, timestamp: timestamp))
        }
        if let name {
            guard let item = items.first else { throw KubernetesStatus.notFound(resource: "pods", group: "metrics.k8s.io", name: name) }
            return .json(item)
        }
        return .json(["kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": [:], "items": .array(items)])
    }

    private func podMetrics(_ pod: Pod, timestamp: String) async -> JSONValue {
        let seed = TrafficPlanner.hash("\(pod.namespace)/\(pod.name)")
        let appMemoryKi = 20_000 + Int(seed % 60_000)
        let appCPU = 1_000_000 + Int(seed % 30_000_000)
        var containers: [JSONValue] = [
            ["name": .string(pod.labels["app"] ?? pod.name), "usage": ["cpu": .string("\(appCPU)n"), "memory": .string("\(appMemoryKi)Ki")]]
        ]
        if pod.hasSidecar {
            // The working set of istio-proxy: Envoy's resident memory plus ~25 MiB for pilot-agent.
            let envoyBytes = await fleet?.residentBytes(namespace: pod.namespace, pod: pod.name)
                ?? synthetic?.figures(namespace: pod.namespace, pod: pod.name)?.physicalBytes ?? 40 * 1024 * 1024
            let workingSetKi = (envoyBytes + 25 * 1024 * 1024) / 1024
            containers.append(["name": "istio-proxy", "usage": ["cpu": .string("\(2_000_000 + Int(seed % 8_000_000))n"), "memory": .string("\(workingSetKi)Ki")]])
        }
        return [
            "kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
            "metadata": [
                "name": .string(pod.name), "namespace": .string(pod.namespace), "creationTimestamp": .string(timestamp),
                "labels": .object(pod.labels.mapValues(JSONValue.string)),
            ],
            "timestamp": .string(timestamp), "window": "15.05s", "containers": .array(containers),
        ]
    }

    // MARK: Pod proxy

    private func podProxy(_ request: APIRequest, namespace: String, target: String, path: String) async throws -> APIResponse {
        var parts = target.split(separator: ":").map(String.init)
        if parts.first == "http" || parts.first == "https" { parts.removeFirst() }
        guard let podName = parts.first, let pod = podsByKey["\(namespace)/\(podName)"] else {
            throw KubernetesStatus.notFound(resource: "pods", group: "", name: parts.first ?? target)
        }
        // As the API server's pod ResourceLocation: a pod without an IP (Pending) is refused before any dial; no port
        // means the first container port; a port name is dialled as Go dials it (http is 80, https 443, any other
        // name an unknown port): the API server does not look names up in the pod's spec.
        guard let ip = pod.podIP, !ip.isEmpty else { throw KubernetesStatus.badRequest("address not allowed") }
        func refused(_ port: Int) -> KubernetesStatus {
            KubernetesStatus(
                code: 503, reason: "ServiceUnavailable",
                message: "error trying to reach service: dial tcp \(ip):\(port): connect: connection refused")
        }
        let given = parts.count > 1 ? parts[1] : ""
        let port: Int
        switch given {
        case "":
            let first = pod.namedPorts.sorted { $0.key < $1.key }.first?.value ?? (pod.hasSidecar ? 15090 : nil)
            port = first ?? 80
        case "http": port = 80
        case "https": port = 443
        default:
            guard let number = Int(given) else {
                throw KubernetesStatus(
                    code: 503, reason: "ServiceUnavailable", message: "error trying to reach service: dial tcp: lookup tcp/\(given): unknown port")
            }
            port = number
        }
        guard pod.hasSidecar, [15090, 15020, 15021].contains(port) else { throw refused(port) }
        if let synthetic {
            return try syntheticStats(synthetic, request, pod: pod, port: port, path: path, refused: refused(port))
        }
        guard let endpoint = await fleet?.endpoint(namespace: namespace, pod: podName), endpoint.isRunning else { throw refused(port) }
        if port == 15021 || (port == 15020 && path.hasPrefix("/healthz/ready")) {
            return .text("", status: 200)
        }
        guard path.hasPrefix("/stats/prometheus") || (port == 15020 && path.hasPrefix("/metrics")) else {
            return .text("404 page not found\n", status: 404)
        }
        let query = Self.encodeQuery(request.query)
        let upstream: LocalHTTPClient.Response
        let upstreamPath = "/stats/prometheus" + (query.isEmpty ? "" : "?\(query)")
        do {
            upstream = try await LocalHTTPClient.get(port: endpoint.prometheusPort, path: upstreamPath)
        } catch {
            // A running lab Envoy can close one early connection to its stats listener; a pod's own listener does not
            // do that to the kubelet, so the lab asks once more before it answers as a refused dial.
            guard !Task.isCancelled, endpoint.isRunning,
                let again = try? await LocalHTTPClient.get(port: endpoint.prometheusPort, path: upstreamPath, timeout: .seconds(5))
            else { throw refused(port) }
            upstream = again
        }
        var text = upstream.text
        if upstream.status == 200 {
            let metrics = IstioMetrics(
                pod: pod, destinations: scenario.traffic(namespace: namespace, pod: podName), services: servicesByHost,
                elapsed: Date().timeIntervalSince(startedAt), epochs: counterEpochs, envoyPID: endpoint.pid)
            text += metrics.text(filter: request.parameter("filter"))
        }
        return .text(text, status: upstream.status, contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    /// The pod proxy's answer from a synthetic Envoy: its stats plus the Istio request metrics, as from a real one.
    private func syntheticStats(
        _ synthetic: SyntheticEnvoys, _ request: APIRequest, pod: Pod, port: Int, path: String, refused: KubernetesStatus
    ) throws -> APIResponse {
        let elapsed = Date().timeIntervalSince(startedAt)
        let filter = request.parameter("filter")
        guard let envoy = synthetic.prometheusText(namespace: pod.namespace, pod: pod.name, filter: filter, uptimeSeconds: Int(elapsed)) else {
            throw refused
        }
        if port == 15021 || (port == 15020 && path.hasPrefix("/healthz/ready")) { return .text("", status: 200) }
        guard path.hasPrefix("/stats/prometheus") || (port == 15020 && path.hasPrefix("/metrics")) else {
            return .text("404 page not found\n", status: 404)
        }
        let metrics = IstioMetrics(
            pod: pod, destinations: scenario.traffic(namespace: pod.namespace, pod: pod.name), services: servicesByHost,
            elapsed: elapsed, epochs: counterEpochs)
        return .text(envoy + metrics.text(filter: filter), status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    /// Re-encodes query parameters for the upstream request (sorted by name, values in order).
    static func encodeQuery(_ query: [String: [String]]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return query.sorted { $0.key < $1.key }.flatMap { name, values in
            values.map { value in
                let encodedName = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
                let encodedValue = value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
                return value.isEmpty ? encodedName : "\(encodedName)=\(encodedValue)"
            }
        }.joined(separator: "&")
    }
}

extension APIResponse {
    /// The answer as an older Istio serves it: every `networking.istio.io/v1` (the object's and its managedFields'
    /// apiVersion) named `networking.istio.io/VERSION`.
    fileprivate func servingIstio(as version: String) -> APIResponse {
        guard contentType.hasPrefix("application/json") else { return self }
        var copy = self
        let text = String(decoding: body, as: UTF8.self)
        copy.body = Data(text.replacingOccurrences(of: "\"networking.istio.io/v1\"", with: "\"networking.istio.io/\(version)\"").utf8)
        return copy
    }
}

extension JSONValue {
    /// The object with `kind` and `apiVersion` set for a single metrics item.
    fileprivate func merging(kind: String) -> JSONValue {
        var copy = self
        copy["kind"] = .string(kind)
        copy["apiVersion"] = "metrics.k8s.io/v1beta1"
        return copy
    }
}
