/// istioctl's cluster filter flags (`--fqdn`, `--port`, `--direction`, `--subset`), with its exact semantics:
/// every test is a substring test on the whole cluster name, and `--port N` looks for `|N|`.
///
/// So `--direction inbound` also keeps an outbound cluster whose host contains `inbound`, exactly as istioctl does.
public struct ClusterFilter: Hashable, Sendable {
    /// Keep names containing this text; empty for no test.
    public var fqdn: String
    /// Keep names containing `|port|`; 0 for no test.
    public var port: Int
    /// Keep names containing this text; empty for no test.
    public var direction: String
    /// Keep names containing this text; empty for no test.
    public var subset: String

    /// Makes a filter; the defaults keep everything.
    public init(fqdn: String = "", port: Int = 0, direction: String = "", subset: String = "") {
        self.fqdn = fqdn
        self.port = port
        self.direction = direction
        self.subset = subset
    }

    /// Whether the filter keeps everything.
    public var isEmpty: Bool { fqdn.isEmpty && port == 0 && direction.isEmpty && subset.isEmpty }

    /// Whether istioctl would keep a cluster with this name (`ClusterFilter.Verify`). Substrings are compared as
    /// bytes, as Go's `strings.Contains` does.
    public func matches(_ clusterName: String) -> Bool {
        if isEmpty { return true }
        let name = Array(clusterName.utf8)
        if !fqdn.isEmpty && !Self.contains(name, fqdn) { return false }
        if !direction.isEmpty && !Self.contains(name, direction) { return false }
        if !subset.isEmpty && !Self.contains(name, subset) { return false }
        if port != 0 && !Self.contains(name, "|\(port)|") { return false }
        return true
    }

    private static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return true }
        guard haystack.count >= pattern.count else { return false }
        var start = 0
        while start <= haystack.count - pattern.count {
            if haystack[start] == first && haystack[start..<(start + pattern.count)].elementsEqual(pattern) {
                return true
            }
            start += 1
        }
        return false
    }
}
