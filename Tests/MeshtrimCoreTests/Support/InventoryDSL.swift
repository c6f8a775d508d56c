import Foundation
@testable import MeshtrimCore

/// Builds an inventory from inline manifest YAML, the way a person would write the scenario.
func inventory(_ yaml: String, rootNamespace: String = "istio-system", version: IstioVersion? = nil) throws -> MeshInventory {
    var builder = InventoryBuilder()
    for (object, _) in try ManifestLoader.decode(yaml, file: "inline.yaml") { builder.add(object, source: "inline") }
    var result = builder.finish()
    result.meshConfig.rootNamespace = rootNamespace
    result.istioVersion = version
    return result
}

/// A Kubernetes Service manifest.
func service(_ name: String, _ namespace: String, ports: [Int] = [80], created: Int = 0, exportTo: String? = nil,
             selector: String? = nil, extra: String = "") -> String {
    let annotation = exportTo.map { "\n  annotations:\n    networking.istio.io/exportTo: \"\($0)\"" } ?? ""
    let selectorText = selector.map { "\n  selector:\n    app: \($0)" } ?? ""
    return """
    apiVersion: v1
    kind: Service
    metadata:
      name: \(name)
      namespace: \(namespace)
      creationTimestamp: "\(timestamp(created))"\(annotation)
    spec:\(extra)\(selectorText)
      ports:
    \(ports.map { "  - name: http-\($0)\n    port: \($0)" }.joined(separator: "\n"))
    ---

    """
}

/// A ServiceEntry manifest.
func serviceEntry(_ name: String, _ namespace: String, host: String, ports: [Int] = [80], created: Int = 0,
                  resolution: String = "DNS", exportTo: [String]? = nil) -> String {
    let exportText = exportTo.map { "\n  exportTo: [\($0.map { "\"\($0)\"" }.joined(separator: ", "))]" } ?? ""
    return """
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: \(name)
      namespace: \(namespace)
      creationTimestamp: "\(timestamp(created))"
    spec:
      hosts: ["\(host)"]
      resolution: \(resolution)\(exportText)
      ports:
    \(ports.map { "  - number: \($0)\n    name: tcp-\($0)\n    protocol: TCP" }.joined(separator: "\n"))
    ---

    """
}

/// A Sidecar manifest.
func sidecar(_ name: String, _ namespace: String, hosts: [String], selector: String? = nil, created: Int = 0,
             port: Int? = nil) -> String {
    let selectorText = selector.map { "\n  workloadSelector:\n    labels:\n      app: \($0)" } ?? ""
    let portText = port.map { "\n    port:\n      number: \($0)\n      protocol: HTTP\n      name: http" } ?? ""
    return """
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: \(name)
      namespace: \(namespace)
      creationTimestamp: "\(timestamp(created))"
    spec:\(selectorText)
      egress:
      - hosts: [\(hosts.map { "\"\($0)\"" }.joined(separator: ", "))]\(portText)
    ---

    """
}

/// An RFC 3339 time `seconds` after 2024-01-01.
func timestamp(_ seconds: Int) -> String {
    let formatter = ISO8601DateFormatter()
    return formatter.string(from: Date(timeIntervalSince1970: 1_704_067_200 + Double(seconds)))
}

/// The outbound cluster names of a scope, sorted.
func outboundNames(_ scope: SidecarScope) -> [String] {
    scope.clusters.filter { $0.direction == .outbound }.map(\.name).sorted()
}

/// The imported hostnames of a scope, in order.
func hostnames(_ scope: SidecarScope) -> [String] {
    scope.services.map(\.service.hostname)
}
