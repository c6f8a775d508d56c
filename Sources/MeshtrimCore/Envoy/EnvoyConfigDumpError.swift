/// Why an Envoy `/config_dump` could not be used, worded so a person knows what to do next.
public enum EnvoyConfigDumpError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The text is not JSON (garbage, HTML error page, truncated download).
    case invalidJSON(OrderedJSONError)
    /// The JSON is valid but not shaped like a config dump (e.g. a top-level array).
    case notAConfigDump(String)
    /// The dump has no clusters: no `ClustersConfigDump` section and no per-cluster entries. Carries the section
    /// types that were present, for the message.
    case noClusterSection(presentSections: [String])
    /// The clusters section exists but lists no active or static cluster (istioctl: "no clusters found").
    case noClusters
    /// A cluster in the dump has a field of the wrong kind (e.g. a number as its name); the detail names where.
    case invalidCluster(String)

    /// The message to show.
    public var description: String {
        switch self {
        case .invalidJSON(let error):
            var text = "the config dump is not valid JSON: \(error)"
            if error.isTruncation {
                text += "; fetch it again and make sure the whole response was saved"
            } else if error.offset == 0 || error.line == 1 && error.column == 1 {
                text += "; is this really the output of the Envoy admin endpoint /config_dump?"
            }
            return text
        case .notAConfigDump(let detail):
            return "the JSON is not an Envoy config dump: \(detail); expected an object like {\"configs\": [...]} "
                + "from the Envoy admin endpoint /config_dump"
        case .noClusterSection(let sections):
            let found = sections.isEmpty
                ? "it has no sections at all (Envoy answers {} when a name_regex or resource filter matched nothing)"
                : "it only has " + sections.map(Self.shortTypeName).joined(separator: ", ")
            return "the config dump has no clusters section: \(found); fetch /config_dump without a resource "
                + "filter, or with ?resource=dynamic_active_clusters (and static_clusters)"
        case .noClusters:
            return "no clusters found: the clusters section of the config dump is empty"
        case .invalidCluster(let detail):
            return "the config dump has a damaged cluster: \(detail); Envoy writes every cluster name as a string, "
                + "so fetch the dump again from the Envoy admin endpoint /config_dump"
        }
    }

    /// `type.googleapis.com/envoy.admin.v3.EndpointsConfigDump` → `EndpointsConfigDump`.
    static func shortTypeName(_ typeURL: String) -> String {
        guard let lastDot = typeURL.lastIndex(of: "."), !typeURL.hasSuffix(".DynamicCluster"),
            !typeURL.hasSuffix(".StaticCluster")
        else {
            return typeURL.split(separator: "/").last.map(String.init) ?? typeURL
        }
        return String(typeURL[typeURL.index(after: lastDot)...])
    }
}
