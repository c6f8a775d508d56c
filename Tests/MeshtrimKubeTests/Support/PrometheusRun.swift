import Foundation
import MeshtrimCore
import MeshtrimKube
import MeshtrimProcess
import MeshtrimTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A real `prometheus` (2.42, Debian's package) for one test: a generated config that scrapes every lab sidecar
/// every second through the lab API server's pod proxy, with the lab's admin token and its CA, storage in a
/// temporary directory, on a free port.
final class PrometheusRun: @unchecked Sendable {
    let directory: String
    let port: Int
    let process: SpawnedProcess
    var url: String { "http://127.0.0.1:\(port)" }
    var log: String { (try? String(contentsOfFile: "\(directory)/prometheus.log", encoding: .utf8)) ?? "" }

    init(lab: LabRun, pods: [Pod]) throws {
        directory = try makeTemporaryDirectory("meshtrim-prometheus")
        port = try Self.freePort()
        try write(lab.adminToken, to: "\(directory)/token")
        try write(lab.caPEM, to: "\(directory)/ca.pem")
        let server = try #require(URL(string: lab.server))
        let address = "\(server.host ?? "127.0.0.1"):\(server.port ?? 443)"
        var config = """
            global:
              scrape_interval: 1s
              scrape_timeout: 900ms
            scrape_configs:
              - job_name: lab-sidecars
                scheme: https
                authorization:
                  type: Bearer
                  credentials_file: \(directory)/token
                tls_config:
                  ca_file: \(directory)/ca.pem
                  server_name: \(server.host ?? "127.0.0.1")
                  insecure_skip_verify: true
                params:
                  filter: ["istio_requests_total|istio_tcp_connections_opened_total"]
                static_configs:

            """
        for pod in pods {
            config += """
                      - targets: ["\(address)"]
                        labels:
                          __metrics_path__: /api/v1/namespaces/\(pod.namespace)/pods/\(pod.name):15090/proxy/stats/prometheus
                          pod: \(pod.name)
                          namespace: \(pod.namespace)

                """
        }
        try write(config, to: "\(directory)/prometheus.yml")
        process = try SpawnedProcess.spawn(
            ProcessOptions(
                [
                    "prometheus", "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
                    "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
                ],
                standardOutput: .file("\(directory)/prometheus.log"), standardError: .standardOutput, group: .caller))
    }

    /// Waits for `/-/ready`.
    func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if try process.poll() != nil { throw KubeTestError("prometheus exited while starting:\n\(log)") }
            if let client = try? PrometheusClient(url: url, token: nil) {
                let ready = (try? await client.query("vector(1)")) != nil
                await client.shutdown()
                if ready { return }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw KubeTestError("prometheus did not become ready within 30 s:\n\(log)")
    }

    /// Stops the process this test started (SIGTERM, then SIGKILL after 5 s) and removes its files.
    func stop() {
        process.send(SIGTERM)
        _ = try? process.wait(timeout: .seconds(5))
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A port nothing listens on now (bound to 0, then released).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw KubeTestError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw KubeTestError("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
