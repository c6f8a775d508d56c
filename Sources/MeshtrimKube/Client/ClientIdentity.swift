import NIOSSL
import Synchronization

/// The TLS client identity a ``KubeClient`` presents now: the TLS configuration and context built for the exec
/// plugin's current client certificate, replaced when the plugin hands out a new one (on expiry or after a 401), as
/// client-go rotates it. New connections use the new certificate; connections already open keep theirs.
final class ClientIdentity: Sendable {
    /// One identity: the exec plugin's certificate PEM it was built for (`nil`: the kubeconfig's own), the
    /// configuration and its context (`nil` for plain HTTP).
    struct State: Sendable {
        var certificate: String?
        var tls: TLSConfiguration
        var context: NIOSSLContext?
        /// Whether it came from an exec plugin (REST then asks AsyncHTTPClient for connections of this identity).
        var fromPlugin: Bool { certificate != nil }
    }

    private let state: Mutex<State>

    init(_ initial: State) { state = Mutex(initial) }

    /// The identity now.
    var current: State { state.withLock { $0 } }

    /// Replaces the identity when `certificate` differs from the current one; `make` builds the new state.
    ///
    /// - Throws: what `make` throws (a certificate or key that does not parse).
    func update(certificate: String, make: () throws -> State) throws {
        if state.withLock({ $0.certificate == certificate }) { return }
        let next = try make()
        state.withLock { $0 = next }
    }
}
