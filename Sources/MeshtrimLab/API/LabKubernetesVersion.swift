import MeshtrimCore

/// The Kubernetes version the lab claims (`meshtrim lab --kubernetes-version 1.35`): what `/version` says and how
/// it authorises a port-forward, so clients that ask per server version can be tested against both rules.
public struct LabKubernetesVersion: Sendable, Hashable, CustomStringConvertible {
    /// The minor version (`1.MINOR`).
    public var minor: Int
    /// The patch version.
    public var patch: Int

    /// 1.32.4, what the lab claims by default (the kubectl dispatcher then runs kubectl 1.32).
    public static let `default` = LabKubernetesVersion(minor: 32, patch: 4)

    /// Makes a version `1.minor.patch`.
    public init(minor: Int, patch: Int = 0) {
        self.minor = minor
        self.patch = patch
    }

    /// Parses `1.35`, `1.35.2` or `v1.35.2`.
    ///
    /// - Throws: ``LabError`` naming the text and the accepted forms.
    public init(parsing text: String) throws {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("v") { trimmed.removeFirst() }
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts[0] == "1", let minor = Int(parts[1]), (20...99).contains(minor),
            let patch = parts.count == 3 ? Int(parts[2]) : 0, patch >= 0
        else {
            throw LabError("--kubernetes-version \"\(text)\": expected 1.MINOR or 1.MINOR.PATCH, e.g. 1.30 or 1.35.0")
        }
        self.init(minor: minor, patch: patch)
    }

    /// `v1.35.0-meshtrim-lab`.
    public var gitVersion: String { "v1.\(minor).\(patch)-meshtrim-lab" }

    /// `1.35.0`.
    public var description: String { "1.\(minor).\(patch)" }

    /// The verbs on `pods/portforward` a port-forward request needs: a WebSocket upgrade (a GET) is authorised as
    /// `get` on 1.28–1.34 and as `get` and `create` from 1.35 (kubernetes/kubernetes PR #134577); SPDY (a POST) as
    /// `create`.
    public func portForwardVerbs(webSocket: Bool) -> [String] {
        guard webSocket else { return ["create"] }
        return minor >= 35 ? ["get", "create"] : ["get"]
    }

    /// The `/version` document.
    var document: JSONValue {
        [
            "major": "1", "minor": .string(String(minor)), "gitVersion": .string(gitVersion),
            "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z",
            "goVersion": "go1.23.6", "compiler": "gc", "platform": "linux/amd64",
        ]
    }
}
