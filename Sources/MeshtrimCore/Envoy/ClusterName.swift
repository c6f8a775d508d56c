/// An Envoy cluster name taken apart the way Istio builds it (`pilot/pkg/model/service.go BuildSubsetKey`).
///
/// Three forms exist: the subset key `direction|port|subset|host`
/// (`outbound|9080|v2|reviews.default.svc.cluster.local`, `inbound|8080||`,
/// `inbound-vip|8000|http|httpbin.default.svc.cluster.local`), the DNS SRV / SNI form
/// `outbound_.9080_.v2_.reviews.default.svc.cluster.local`, and special names (`BlackHoleCluster`, `agent`, …).
public struct ClusterName: Hashable, Sendable, CustomStringConvertible {
    /// Which of Istio's naming forms a name uses.
    public enum Form: String, Hashable, Sendable {
        /// `direction|port|subset|host`: at least three `|`.
        case subsetKey
        /// `direction_.port_.subset_.host`, used as the mTLS SNI (a cluster name only on SNI-DNAT gateways).
        case dnsSRV
        /// Anything else, e.g. `PassthroughCluster`, `xds-grpc`.
        case special
    }

    /// The name exactly as Envoy reports it.
    public let rawValue: String
    /// Which naming form it uses.
    public let form: Form
    /// The traffic direction (`outbound`, `inbound`, `inbound-vip`, …); empty for special names.
    public let direction: String
    /// The port, parsed like Go's `strconv.Atoi` (0 when missing or malformed, as Istio does).
    public let port: Int
    /// The DestinationRule subset; empty for none.
    public let subset: String
    /// The service hostname; empty for inbound clusters, special names and malformed keys.
    public let host: String

    /// Parses a cluster name with Istio's `ParseSubsetKey` rules.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
        let isSRV = Self.hasSRVPrefix(rawValue)
        if isSRV || Self.pipeCount(in: rawValue) >= 3 {
            let parts = Self.parseSubsetKey(rawValue)
            form = isSRV ? .dnsSRV : .subsetKey
            direction = parts.direction
            port = parts.port
            subset = parts.subset
            host = parts.host
        } else {
            form = .special
            direction = ""
            port = 0
            subset = ""
            host = ""
        }
    }

    /// Whether this is a special (non-service) name.
    public var isSpecial: Bool { form == .special }

    /// The name as written.
    public var description: String { rawValue }

    /// Whether istioctl treats the name as a subset key rather than a special name: it splits on `|` and needs
    /// more than three pieces (`istioctl/pkg/writer/envoy/configdump/cluster.go`), so SNI names count as special.
    public static func isIstioctlSubsetKey(_ name: String) -> Bool {
        pipeCount(in: name) >= 3
    }

    /// Istio's `ParseSubsetKey`, exactly: `|`-separated (`_.` when the name starts with `outbound_.`/`inbound_.`),
    /// cut three times; the host stays empty when the remainder still holds a separator. Works on bytes, as Go does.
    public static func parseSubsetKey(_ name: String) -> (direction: String, subset: String, host: String, port: Int) {
        let bytes = Array(name.utf8)
        let separator: [UInt8] = hasSRVPrefix(name) ? [0x5F, 0x2E] : [0x7C]
        guard let (direction, afterDirection) = cut(bytes[...], separator) else { return ("", "", "", 0) }
        guard let (portText, afterPort) = cut(afterDirection, separator) else {
            return (text(direction), "", "", 0)
        }
        let port = goAtoi(portText)
        guard let (subset, rest) = cut(afterPort, separator) else { return (text(direction), "", "", port) }
        if cut(rest, separator) != nil { return (text(direction), text(subset), "", port) }
        return (text(direction), text(subset), text(rest), port)
    }

    /// Go's `strconv.Atoi` as Istio uses it (error ignored): optional sign and decimal digits, clamped to the
    /// `Int` range on overflow, 0 on any other malformed input.
    static func goAtoi(_ bytes: ArraySlice<UInt8>) -> Int {
        var digits = bytes
        var negative = false
        if let first = digits.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return 0 }
        var magnitude: UInt64 = 0
        var overflow = false
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return 0 }
            if overflow { continue }
            let (times10, overflowMultiply) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflowAdd) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if overflowMultiply || overflowAdd { overflow = true } else { magnitude = sum }
        }
        if negative {
            if overflow || magnitude > UInt64(Int.max) + 1 { return Int.min }
            return magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude)
        }
        if overflow || magnitude > UInt64(Int.max) { return Int.max }
        return Int(magnitude)
    }

    /// Whether the name starts with `outbound_.` or `inbound_.` (compared as bytes, like Go's `strings.HasPrefix`).
    private static func hasSRVPrefix(_ name: String) -> Bool {
        name.utf8.starts(with: "outbound_.".utf8) || name.utf8.starts(with: "inbound_.".utf8)
    }

    private static func pipeCount(in name: String) -> Int {
        var count = 0
        for byte in name.utf8 where byte == UInt8(ascii: "|") { count += 1 }
        return count
    }

    /// Go's `strings.Cut` on bytes: the parts before and after the first `separator`, or nil when it's absent.
    private static func cut(
        _ bytes: ArraySlice<UInt8>, _ separator: [UInt8]
    ) -> (ArraySlice<UInt8>, ArraySlice<UInt8>)? {
        guard let first = separator.first, bytes.count >= separator.count else { return nil }
        var position = bytes.startIndex
        let last = bytes.endIndex - separator.count
        while position <= last {
            if bytes[position] == first && bytes[position..<(position + separator.count)].elementsEqual(separator) {
                return (bytes[..<position], bytes[(position + separator.count)...])
            }
            position += 1
        }
        return nil
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
