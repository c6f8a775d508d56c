/// Istio's `validateConnectionPool` for a `ConnectionPoolSettings` written in a Sidecar (`inboundConnectionPool`, an
/// ingress listener's `connectionPool`), messages word for word.
enum ConnectionPoolValidator {
    /// Problems of `pool` (`nil` or null: none). Locations are left to the caller.
    static func problems(_ pool: JSONValue?) -> [SidecarProblem] {
        guard let pool, pool != .null else { return [] }
        guard case .object = pool else {
            return [malformed("connectionPool must be a mapping with tcp and/or http")]
        }
        let http = pool["http"].flatMap { $0 == .null ? nil : $0 }
        let tcp = pool["tcp"].flatMap { $0 == .null ? nil : $0 }
        if http == nil && tcp == nil { return [SidecarProblem(.error, "connection pool must have at least one field")] }
        var problems: [SidecarProblem] = []
        func error(_ message: String) { problems.append(SidecarProblem(.error, message)) }
        func nonNegative(_ object: JSONValue, _ key: String, _ message: String) {
            if let value = object[key]?.intValue, value < 0 { error(message) }
        }
        func duration(_ object: JSONValue?, _ key: String, allowZero: Bool = false) {
            guard let value = object?[key], value != .null else { return }
            switch ProtoDuration.nanoseconds(value) {
            case .success(let nanoseconds):
                if allowZero && nanoseconds == 0 { return }
                if let message = ProtoDuration.problem(nanoseconds) { error(message) }
            case .failure(let problem):
                problems.append(malformed("\(key): \(problem.message)"))
            }
        }
        if let http {
            nonNegative(http, "http1MaxPendingRequests", "http1 max pending requests must be non-negative")
            nonNegative(http, "http2MaxRequests", "http2 max requests must be non-negative")
            nonNegative(http, "maxRequestsPerConnection", "max requests per connection must be non-negative")
            nonNegative(http, "maxRetries", "max retries must be non-negative")
            duration(http, "idleTimeout")
            let upgrade = http["h2UpgradePolicy"]
            if (upgrade?.stringValue == "UPGRADE" || upgrade?.intValue == 2) && http["useClientProtocol"]?.boolValue == true {
                error("use client protocol must not be true when H2UpgradePolicy is UPGRADE")
            }
            nonNegative(http, "maxConcurrentStreams", "max concurrent streams must be non-negative")
        }
        if let tcp {
            nonNegative(tcp, "maxConnections", "max connections must be non-negative")
            duration(tcp, "connectTimeout")
            duration(tcp, "maxConnectionDuration")
            // 0s disables the idle timeout.
            duration(tcp, "idleTimeout", allowZero: true)
            if let keepalive = tcp["tcpKeepalive"], keepalive != .null {
                duration(keepalive, "time")
                duration(keepalive, "interval")
            }
        }
        return problems
    }

    private static func malformed(_ message: String) -> SidecarProblem {
        SidecarProblem(.error, message, code: SidecarValidator.Code.malformedField)
    }
}

/// A `google.protobuf.Duration` as Kubernetes manifests write it (`"1s"`, `"0.5s"`, `"100ms"`, `"1m30s"`) and
/// Istio's `agent.ValidateDuration` on it.
enum ProtoDuration {
    /// Why a duration could not be read.
    struct Problem: Error {
        /// What was expected.
        let message: String
    }

    /// The duration in nanoseconds; Go's `time.ParseDuration` units (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`).
    static func nanoseconds(_ value: JSONValue) -> Result<Double, Problem> {
        guard let text = value.stringValue else {
            return .failure(Problem(message: "\(value.jsonText) is not a duration such as \"1s\" or \"100ms\""))
        }
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 6e10), ("h", 3.6e12)]
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return .success(0) }
        var total = 0.0
        guard !rest.isEmpty else { return .failure(Problem(message: "\(goQuoted(text)) is not a duration such as \"1s\" or \"100ms\"")) }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !$0.isNumber && $0 != "." }
            rest = rest.dropFirst(unitText.count)
            guard let amount = Double(number), let unit = units.first(where: { $0.0 == unitText }) else {
                return .failure(Problem(message: "\(goQuoted(text)) is not a duration such as \"1s\" or \"100ms\""))
            }
            total += amount * unit.1
        }
        return .success(negative ? -total : total)
    }

    /// Istio's `ValidateDuration`: at least 1ms, whole milliseconds.
    static func problem(_ nanoseconds: Double) -> String? {
        if nanoseconds < 1e6 { return "duration must be greater than 1ms" }
        if nanoseconds.truncatingRemainder(dividingBy: 1e6) != 0 { return "only durations to ms precision are supported" }
        return nil
    }
}
