/// The names the mesh generator draws from, so that a generated mesh reads like a real company's.
///
/// Kept apart from the generator's logic: changing a word list changes names, never structure.
enum GeneratorVocabulary {
    /// Application namespaces, in the order they are used; `identity` and `notifications` come early because
    /// every other team calls them.
    static let namespaces = [
        "payments", "checkout", "identity", "notifications", "catalog", "search", "orders", "inventory",
        "shipping", "pricing", "cart", "recommendations", "reviews", "accounts", "billing", "fraud", "loyalty",
        "media", "messaging", "marketing", "fulfillment", "ledger", "risk", "support", "partners", "reporting",
        "analytics", "promotions", "returns", "tax", "subscriptions", "storefront", "merchant", "warehouse",
        "delivery", "onboarding", "compliance", "content", "experiments", "feeds",
    ]

    /// Suffixes that make more namespaces once ``namespaces`` runs out (`payments-eu`, …).
    static let namespaceSuffixes = ["eu", "us", "apac", "v2", "legacy", "internal"]

    /// Namespaces that run without sidecar injection, with the workloads such namespaces usually hold.
    static let unmeshedNamespaces: [(name: String, workloads: [String])] = [
        ("monitoring", ["prometheus", "grafana", "alertmanager", "kube-state-metrics", "blackbox-exporter", "pushgateway"]),
        ("logging", ["fluent-bit-aggregator", "loki", "vector", "log-router", "opensearch-dashboards"]),
    ]

    /// The domain nouns of service names (`refund-worker`, `price-indexer`, …).
    static let nouns = [
        "order", "price", "account", "token", "session", "invoice", "refund", "report", "event", "webhook",
        "profile", "quota", "rating", "image", "feed", "coupon", "stock", "payout", "ledger", "audit", "consent",
        "address", "tax", "label", "parcel", "route", "slot", "carrier", "basket", "wishlist", "offer", "bundle",
        "voucher", "dispute", "chargeback", "settlement", "rate", "currency", "locale", "search", "index", "query",
        "asset", "thumbnail", "email", "sms", "push", "template", "campaign", "segment", "cohort", "metric",
        "export", "import", "schedule", "ticket", "chat", "partner", "contract", "policy", "rule", "score",
        "device", "login", "password", "mfa", "role", "permission", "tenant", "plan", "usage", "billing-run",
    ]

    /// Each team's own nouns: most of a namespace's services are named after its domain
    /// (`payments` runs `refund-worker` and `payout-scheduler`, not `thumbnail-indexer`).
    static let themes: [String: [String]] = [
        "payments": ["payment", "payout", "refund", "settlement", "chargeback", "card", "wallet", "psp"],
        "checkout": ["checkout", "basket", "order-intent", "address", "promo", "session", "delivery-option"],
        "identity": ["auth", "token", "session", "login", "mfa", "password", "oidc", "user"],
        "notifications": ["email", "sms", "push", "template", "preference", "digest", "webhook"],
        "catalog": ["product", "category", "attribute", "variant", "brand", "taxonomy", "listing"],
        "search": ["search", "query", "index", "suggest", "ranking", "synonym", "facet"],
        "orders": ["order", "order-history", "invoice", "cancellation", "order-event", "receipt"],
        "inventory": ["stock", "reservation", "allocation", "availability", "sku", "replenishment"],
        "shipping": ["shipment", "label", "carrier", "parcel", "tracking", "rate", "pickup"],
        "pricing": ["price", "discount", "currency", "rate", "margin", "quote"],
        "cart": ["cart", "basket", "wishlist", "saved-item", "cart-event"],
        "recommendations": ["recommendation", "model", "feature", "embedding", "ranking", "similar-item"],
        "reviews": ["review", "rating", "moderation", "question", "answer", "photo"],
        "accounts": ["account", "profile", "address", "preference", "consent", "household"],
        "billing": ["invoice", "billing-run", "dunning", "statement", "credit-note", "tax"],
        "fraud": ["fraud", "score", "rule", "signal", "device", "velocity", "case"],
        "loyalty": ["points", "tier", "reward", "member", "voucher", "redemption"],
        "media": ["image", "thumbnail", "video", "asset", "transcode", "upload"],
        "messaging": ["chat", "conversation", "inbox", "message", "presence", "attachment"],
        "marketing": ["campaign", "segment", "audience", "newsletter", "attribution", "landing-page"],
        "fulfillment": ["pick", "pack", "wave", "dispatch", "slot", "route"],
        "ledger": ["ledger", "journal", "posting", "balance", "reconciliation", "account-entry"],
        "risk": ["risk", "limit", "exposure", "kyc", "sanction", "score"],
        "support": ["ticket", "agent", "chat", "knowledge", "escalation", "callback"],
        "partners": ["partner", "contract", "affiliate", "commission", "onboarding", "feed"],
        "reporting": ["report", "export", "dashboard", "metric", "schedule", "snapshot"],
        "analytics": ["event", "session", "funnel", "cohort", "metric", "clickstream"],
        "promotions": ["promotion", "coupon", "offer", "bundle", "flash-sale", "eligibility"],
        "returns": ["return", "rma", "refund", "inspection", "restock", "label"],
        "tax": ["tax", "vat", "jurisdiction", "exemption", "tax-rate", "filing"],
        "subscriptions": ["subscription", "plan", "renewal", "trial", "entitlement", "usage"],
        "storefront": ["storefront", "page", "menu", "banner", "seo", "sitemap"],
        "merchant": ["merchant", "store", "payout", "onboarding", "catalog-sync", "storefront"],
        "warehouse": ["bin", "location", "putaway", "cycle-count", "dock", "inbound"],
        "delivery": ["courier", "route", "eta", "dispatch", "proof", "zone"],
        "onboarding": ["signup", "verification", "invite", "checklist", "welcome", "kyc"],
        "compliance": ["audit", "policy", "retention", "consent", "gdpr", "evidence"],
        "content": ["article", "page", "cms", "translation", "asset", "editorial"],
        "experiments": ["experiment", "flag", "assignment", "exposure", "variant", "holdout"],
        "feeds": ["feed", "activity", "timeline", "fanout", "digest", "subscription"],
    ]

    /// The role suffixes of service names.
    static let roles = [
        "api", "service", "worker", "processor", "sync", "indexer", "scheduler", "gateway", "writer", "reader",
        "exporter", "importer", "validator", "router", "store", "manager", "resolver", "publisher", "consumer",
        "aggregator", "cache", "bff", "admin", "reconciler", "notifier", "calculator", "engine", "registry",
    ]

    /// Stateful sets behind headless Services: name, ports (number, name) and replicas.
    static let statefulSets: [(name: String, ports: [(Int, String)], replicas: Int)] = [
        ("redis", [(6379, "tcp-redis")], 3),
        ("postgres", [(5432, "tcp-postgres")], 2),
        ("kafka", [(9092, "tcp-kafka"), (9093, "tcp-kafka-internal")], 3),
        ("zookeeper", [(2181, "tcp-client"), (2888, "tcp-follower"), (3888, "tcp-election")], 3),
        ("elasticsearch", [(9200, "http"), (9300, "tcp-transport")], 3),
        ("rabbitmq", [(5672, "tcp-amqp"), (15672, "http-management")], 3),
        ("mongodb", [(27017, "tcp-mongo")], 3),
        ("memcached", [(11211, "tcp-memcache")], 2),
        ("cassandra", [(9042, "tcp-cql")], 3),
        ("nats", [(4222, "tcp-client"), (8222, "http-monitoring")], 3),
        ("etcd", [(2379, "grpc-client"), (2380, "tcp-peer")], 3),
        ("clickhouse", [(8123, "http"), (9000, "tcp-native")], 2),
    ]

    /// External APIs reached through ServiceEntries: host, the namespace that owns the entry, and whether the
    /// entry is exported only to that namespace (`exportTo: ["."]`).
    static let externalAPIs: [(host: String, owner: String, isPrivate: Bool)] = [
        ("api.stripe.com", "payments", false),
        ("*.googleapis.com", "analytics", false),
        ("api.twilio.com", "notifications", true),
        ("api.sendgrid.com", "notifications", false),
        ("hooks.slack.com", "notifications", false),
        ("api.paypal.com", "payments", true),
        ("api.adyen.com", "payments", false),
        ("s3.eu-west-1.amazonaws.com", "media", false),
        ("api.github.com", "support", false),
        ("login.microsoftonline.com", "identity", false),
        ("api.segment.io", "analytics", false),
        ("api.shipengine.com", "shipping", true),
        ("api.avalara.com", "tax", false),
        ("sentry.io", "reporting", false),
        ("api.openai.com", "recommendations", false),
        ("api.zendesk.com", "support", true),
        ("*.datadoghq.eu", "reporting", false),
        ("api.mapbox.com", "delivery", false),
    ]

    /// Where ExternalName Services point (a legacy system outside the cluster).
    static let externalNames = [
        "crm.corp.example.com", "mainframe-gw.corp.example.com", "erp.corp.example.com", "ldap.corp.example.com",
        "sftp.partners.example.com", "dwh.corp.example.com",
    ]

    /// Public hostnames served through the ingress gateway.
    static let publicHosts = [
        "shop.example.com", "api.example.com", "accounts.example.com", "partners.example.com", "m.example.com",
        "status.example.com", "images.example.com", "admin.example.com",
    ]

    /// The alphabet Kubernetes uses for generated name parts (`k8s.io/apimachinery/pkg/util/rand`).
    static let nameAlphabet: [Character] = Array("bcdfghjklmnpqrstvwxz2456789")
}
