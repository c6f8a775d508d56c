import Foundation
import MeshtrimCore
import MeshtrimProcess

/// The file-based CDS response for one lab Envoy: the dynamic clusters the scope engine predicts, named as istiod
/// names them, written atomically so Envoy reloads it.
///
/// Envoy only notices a file *moved into* its watched directory (an in-place rewrite goes unseen), so every write
/// goes to a temporary file in the same directory followed by `rename(2)` (docs/kubernetes-and-envoy.md §5.2).
/// Cluster types follow istiod's where Envoy can run them without istiod: `ORIGINAL_DST` clusters stay
/// `ORIGINAL_DST`; `EDS` and DNS clusters become one-endpoint `STATIC` clusters (no EDS server, no DNS lookups of
/// made-up hosts), which cost about what a one-endpoint EDS cluster costs.
struct ClusterDiscoveryFile {
    /// The clusters, in the order istiod would send them.
    var clusters: [PredictedCluster]
    /// The `version_info` (Envoy reports it as `cluster_manager.cds.version_text`).
    var version: Int

    /// The DiscoveryResponse JSON.
    var json: JSONValue {
        ["version_info": .string(String(version)), "resources": .array(clusters.map(Self.resource))]
    }

    /// One `envoy.config.cluster.v3.Cluster`.
    static func resource(_ cluster: PredictedCluster) -> JSONValue {
        var fields: [String: JSONValue] = [
            "@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster",
            "name": .string(cluster.name),
            "connect_timeout": "10s",
        ]
        if cluster.direction != .special { fields["alt_stat_name"] = .string("\(cluster.name);") }
        switch cluster.type {
        case "ORIGINAL_DST":
            fields["type"] = "ORIGINAL_DST"
            fields["lb_policy"] = "CLUSTER_PROVIDED"
        default:
            fields["type"] = "STATIC"
            if cluster.name == "BlackHoleCluster" {
                fields["load_assignment"] = ["cluster_name": .string(cluster.name)]
            } else {
                fields["load_assignment"] = [
                    "cluster_name": .string(cluster.name),
                    "endpoints": [[
                        "lb_endpoints": [["endpoint": ["address": ["socket_address": ["address": "127.0.0.1", "port_value": 9]]]]],
                    ]],
                ]
            }
        }
        if let port = cluster.port, cluster.direction == .outbound {
            fields["metadata"] = [
                "filter_metadata": [
                    "istio": [
                        "services": [["host": .string(cluster.serviceFQDN), "name": .string(cluster.serviceFQDN.split(separator: ".").first.map(String.init) ?? ""), "namespace": .string(cluster.serviceFQDN.split(separator: ".").dropFirst().first.map(String.init) ?? "")]],
                        "default_original_port": .int(port),
                        "subset": .string(cluster.subset),
                    ],
                ],
            ]
        }
        return .object(fields)
    }

    /// Writes the file atomically (``AtomicFileWriter``: a temporary file in the same directory, then `rename(2)`
    /// over `path`).
    ///
    /// - Throws: ``LabError`` naming the file when writing or renaming fails.
    func write(to path: String) throws {
        do {
            try AtomicFileWriter.write(json.encoded(), to: path, mode: .overwrite)
        } catch {
            throw LabError("cannot write the CDS file \(error.path): \(error.message)")
        }
    }
}
