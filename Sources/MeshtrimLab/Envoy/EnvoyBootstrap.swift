import MeshtrimCore

/// An Istio-like Envoy bootstrap for one lab sidecar.
///
/// It has what makes a lab Envoy count and cost like a real sidecar: Istio's static clusters (`prometheus_stats`,
/// `agent`, `sds-grpc`, `xds-grpc`), Istio's stats matcher and tag extraction (so per-cluster stats are hidden as in
/// a real sidecar and memory per cluster matches), the `15090`-style listener that routes `/stats/prometheus` to
/// the admin port, and dynamic clusters from a watched CDS file the lab rewrites (the lab plays istiod).
struct EnvoyBootstrap {
    /// The Envoy node id (`sidecar~IP~POD.NS~NS.svc.cluster.local`).
    var nodeID: String
    /// The node cluster (`app.namespace`).
    var nodeCluster: String
    /// The admin port (a real sidecar's 15000), on 127.0.0.1.
    var adminPort: Int
    /// The Prometheus listener port (a real sidecar's 15090), on 127.0.0.1.
    var prometheusPort: Int
    /// The CDS file Envoy reads.
    var cdsPath: String
    /// The directory Envoy watches for renames into it (the CDS file's directory).
    var watchedDirectory: String
    /// Where the `sds-grpc` and `xds-grpc` clusters point (unix sockets nobody serves, as in a pod without istiod).
    var socketDirectory: String
    /// Static clusters besides `prometheus_stats` (from the scope engine's bootstrap list).
    var staticClusterNames: [String]
    /// The Istio version for node metadata.
    var istioVersion: String

    /// The bootstrap as JSON (Envoy reads `-c bootstrap.json`).
    var json: JSONValue {
        [
            "node": [
                "id": .string(nodeID), "cluster": .string(nodeCluster),
                "metadata": ["ISTIO_VERSION": .string(istioVersion), "CLUSTER_ID": "Kubernetes", "LABELS": [:]],
            ],
            "admin": ["address": socket(adminPort)],
            "dynamic_resources": [
                "cds_config": [
                    "resource_api_version": "V3",
                    "path_config_source": ["path": .string(cdsPath), "watched_directory": ["path": .string(watchedDirectory)]],
                ],
            ],
            "static_resources": ["listeners": [prometheusListener], "clusters": .array(staticClusters)],
            "stats_config": statsConfig,
            // Gauges such as server.memory_allocated are refreshed on the flush: every second instead of Envoy's 5 s,
            // so a test (or a person) sees a trim's effect within a second.
            "stats_flush_interval": "1s",
        ]
    }

    private func socket(_ port: Int) -> JSONValue {
        ["socket_address": ["address": "127.0.0.1", "port_value": .int(port)]]
    }

    private var prometheusListener: JSONValue {
        [
            "name": "envoy_prom",
            "address": socket(prometheusPort),
            // Envoy binds listeners with SO_REUSEPORT by default: two Envoys given the same port would then both
            // listen and the kernel would split scrapes between them (a pod reporting another pod's Envoy). Off,
            // a port collision makes the second Envoy exit, which the fleet reports.
            "enable_reuse_port": false,
            "filter_chains": [[
                "filters": [[
                    "name": "envoy.filters.network.http_connection_manager",
                    "typed_config": [
                        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                        "stat_prefix": "stats",
                        "route_config": [
                            "virtual_hosts": [[
                                "name": "backend", "domains": ["*"],
                                "routes": [["match": ["prefix": "/stats/prometheus"], "route": ["cluster": "prometheus_stats"]]],
                            ]],
                        ],
                        "http_filters": [[
                            "name": "envoy.filters.http.router",
                            "typed_config": ["@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"],
                        ]],
                    ],
                ]],
            ]],
        ]
    }

    private var staticClusters: [JSONValue] {
        var clusters: [JSONValue] = [staticCluster("prometheus_stats", address: socket(adminPort))]
        for name in staticClusterNames where name != "prometheus_stats" {
            switch name {
            case "xds-grpc", "sds-grpc":
                let path = "\(socketDirectory)/\(name == "xds-grpc" ? "XDS" : "sds.sock")"
                var cluster = staticCluster(name, address: ["pipe": ["path": .string(path)]])
                cluster["typed_extension_protocol_options"] = [
                    "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": [
                        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                        "explicit_http_config": ["http2_protocol_options": [:]],
                    ],
                ]
                if name == "xds-grpc" {
                    cluster["circuit_breakers"] = [
                        "thresholds": [
                            ["priority": "DEFAULT", "max_connections": 100000, "max_pending_requests": 100000, "max_requests": 100000],
                            ["priority": "HIGH", "max_connections": 100000, "max_pending_requests": 100000, "max_requests": 100000],
                        ],
                    ]
                }
                clusters.append(cluster)
            case "agent":
                clusters.append(staticCluster(name, address: socket(15020)))
            default:
                clusters.append(staticCluster(name, address: socket(9411)))
            }
        }
        return clusters
    }

    private func staticCluster(_ name: String, address: JSONValue) -> JSONValue {
        [
            "name": .string(name), "type": "STATIC", "connect_timeout": "1s",
            "load_assignment": [
                "cluster_name": .string(name),
                "endpoints": [["lb_endpoints": [["endpoint": ["address": address]]]]],
            ],
        ]
    }

    /// Istio's `stats_config`: the `cluster_name` tag and the default inclusion list
    /// (`tools/packaging/common/envoy_bootstrap.json`, docs/kubernetes-and-envoy.md §4.6).
    private var statsConfig: JSONValue {
        [
            "use_all_default_tags": false,
            // Istio names cluster stats `cluster.NAME;.stat` (alt_stat_name) and tags them with this regex.
            "stats_tags": [["tag_name": "cluster_name", "regex": "^cluster(\\.(.+);)"]],
            "stats_matcher": [
                "inclusion_list": [
                    "patterns": [
                        ["prefix": "reporter="], ["prefix": "cluster_manager"], ["prefix": "listener_manager"], ["prefix": "server"],
                        ["prefix": "cluster.xds-grpc"], ["prefix": "wasm"], ["suffix": "rbac.allowed"], ["suffix": "rbac.denied"],
                        ["suffix": "shadow_allowed"], ["suffix": "shadow_denied"], ["safe_regex": ["regex": "vhost\\..*\\.route\\..*"]],
                        ["prefix": "component"], ["prefix": "istio"], ["suffix": "downstream_cx_active"],
                    ],
                ],
            ],
        ]
    }
}
