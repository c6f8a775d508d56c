/// A `major.minor` Istio version; scoping behaviour changed at 1.23, 1.24, 1.30 and 1.31.
public struct IstioVersion: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The major version (1).
    public var major: Int
    /// The minor version.
    public var minor: Int

    /// Makes a version.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `1.31`, `1.31.2`, `v1.30.0-rc.1`; `nil` for anything else.
    public init?(_ text: String) {
        var body = Substring(text)
        if body.hasPrefix("v") { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, let major = Int(parts[0]),
            let minor = Int(parts[1].prefix { $0.isNumber })
        else { return nil }
        self.init(major: major, minor: minor)
    }

    /// The version meshtrim assumes when nothing says otherwise.
    public static let defaultVersion = IstioVersion(major: 1, minor: 31)

    /// `1.31`.
    public var description: String { "\(major).\(minor)" }

    /// Orders by major, then minor.
    public static func < (lhs: IstioVersion, rhs: IstioVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    /// `~` exclusions in Sidecar hosts (1.31+).
    public var supportsExclusions: Bool { self >= IstioVersion(major: 1, minor: 31) }
    /// One namespace per hostname with a Kubernetes preference (PILOT_UNIFIED_SIDECAR_SCOPE, 1.24+).
    public var usesUnifiedSidecarScope: Bool { self >= IstioVersion(major: 1, minor: 24) }
    /// VirtualService destinations pick the best visible namespace (1.30+); before, alphabetical first.
    public var picksBestServiceNamespace: Bool { self >= IstioVersion(major: 1, minor: 30) }
    /// `InboundPassthroughCluster` (1.23+) rather than `InboundPassthroughClusterIpv4`.
    public var hasUnifiedInboundPassthrough: Bool { self >= IstioVersion(major: 1, minor: 23) }
}
