/// One kubeconfig file as written (unknown fields ignored).
struct KubeconfigDocument: Decodable {
    struct Named<Value: Decodable>: Decodable {
        var name: String?
        var value: Value?

        enum CodingKeys: String, CodingKey { case name, cluster, user, context }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            for key in [CodingKeys.cluster, .user, .context] where container.contains(key) {
                value = try container.decodeIfPresent(Value.self, forKey: key)
            }
        }
    }

    var currentContext: String?
    var clusters: [Named<ClusterEntry>]?
    var users: [Named<UserEntry>]?
    var contexts: [Named<ContextEntry>]?

    enum CodingKeys: String, CodingKey {
        case currentContext = "current-context"
        case clusters, users, contexts
    }
}
