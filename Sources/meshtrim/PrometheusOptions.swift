import ArgumentParser
import Foundation
import MeshtrimCore
import MeshtrimKube

/// `--prometheus URL --window D --prometheus-token-file F`: where `recommend` and `plan` read traffic over days
/// instead of the sidecars' own counters. One option group, so both commands parse, check and use them alike.
struct PrometheusOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read traffic from this Prometheus server (http or https) instead of the sidecars.", valueName: "url"))
    var prometheus: String?

    @Option(name: .long, help: ArgumentHelp("How far back Prometheus looks (7d, 12h, 1h30m).", valueName: "duration"))
    var window: String?

    @Option(name: .long, help: ArgumentHelp("A file holding the Prometheus bearer token (else MESHTRIM_PROMETHEUS_TOKEN).", valueName: "file"))
    var prometheusTokenFile: String?

    /// Usage checks (exit 64 with the subcommand's usage): the window and token need a server, the window must parse.
    func validate() throws {
        if window != nil && prometheus == nil { throw ValidationError("--window needs --prometheus URL (the sidecars' counters have no window)") }
        if prometheusTokenFile != nil && prometheus == nil { throw ValidationError("--prometheus-token-file needs --prometheus URL") }
        if let window { _ = try Self.window(window) }
    }

    /// Traffic per namespace from Prometheus over the window (default 7d); nil when no server was given, so the caller
    /// uses the sidecars' counters. Failures to reach or read the server are runtime errors (exit 1) naming it.
    func evidence(namespaces: [String], recommender: EgressRecommender) async throws -> [String: TrafficEvidence]? {
        guard let prometheus else { return nil }
        let client: PrometheusClient
        do {
            client = try PrometheusClient(url: prometheus, token: try PrometheusClient.token(file: prometheusTokenFile))
        } catch let error as PrometheusError {
            throw RuntimeError(error.description)
        }
        var result: [String: TrafficEvidence] = [:]
        do {
            let reader = PrometheusTraffic(client: client, window: try Self.window(window ?? "7d"))
            for namespace in namespaces {
                result[namespace] = try await reader.evidence(namespace: namespace, recommender: recommender)
            }
            await client.shutdown()
        } catch let error as PrometheusError {
            await client.shutdown()
            throw RuntimeError(error.description)
        }
        return result
    }

    /// Parses a window such as `7d` or `1h30m`; a bad one is a usage error.
    static func window(_ text: String) throws -> PrometheusWindow {
        do {
            return try PrometheusWindow(text)
        } catch let error as PrometheusError {
            throw ValidationError(error.description)
        }
    }
}
