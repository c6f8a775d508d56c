import Foundation
import MeshtrimCore
import MeshtrimTestSupport
import Testing

@testable import MeshtrimKube

/// meshtrim closes a port-forward itself once the pipelined answers are complete (issue #16 item 6): against a lab
/// whose streams linger after the pod side closed (`--fault port-forward=linger=3s`, a runtime holding the
/// stream), every session is ended by the client, as the lab's own record says.
@Suite(.timeLimit(.minutes(3)))
struct PortForwardCloseTests {
    /// Pipelined answers count as complete only once their bytes are all there, whichever frame they end in.
    @Test func pipelinedAnswersAreCompleteOnlyWhenWhole() {
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nab\r\n0\r\n\r\nc\r\n3\r\nxyz\r\n0\r\n\r\n"
        let sized = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
        let unsized = "HTTP/1.1 200 OK\r\n\r\nuntil close"
        let bytes = Array((chunked + sized).utf8)
        var answers = PipelinedAnswers()
        var counts: [Int] = []
        for end in stride(from: 7, through: bytes.count, by: 7) + [bytes.count] {
            counts.append(answers.advance(over: Array(bytes[..<end])))
        }
        // The first chunk's data holds the last-chunk marker: it must not end the answer early.
        let chunkedEnd = chunked.utf8.count
        for (index, end) in (Array(stride(from: 7, through: bytes.count, by: 7)) + [bytes.count]).enumerated() {
            let expected = end >= bytes.count ? 2 : end >= chunkedEnd ? 1 : 0
            #expect(counts[index] == expected, "after \(end) bytes")
        }
        var open = PipelinedAnswers()
        #expect(open.advance(over: Array((sized + unsized).utf8)) == 1, "an answer delimited by the close is complete only at the close")
    }

    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func theClientClosesOnceTheAnswersAreComplete() async throws {
        try await withLab(ObservationTests.mesh + ["--fault", "port-forward=linger=3s"], envoy: true) { lab in
            let session = try await LiveSession.open(kubeconfig: lab.kubeconfig, context: nil)
            let keys = Array(ObservationTests.sidecarKeys(try await session.loadInventory().inventory).prefix(4))
            try #require(keys.count == 4)
            let reader = SidecarReader(client: session.client)
            for key in keys {
                // Two pipelined config dumps on :15000 (one WebSocket), then the stats on :15090.
                let names = try await reader.clusterNames(namespace: key.namespace, pod: key.name)
                #expect(!names.isEmpty, "\(key)")
                let stats = try await reader.stats(namespace: key.namespace, pod: key.name, path: .portForward)
                #expect(stats.activeClusters == names.count, "\(key)")
            }
            // The lab logs each session's end; wait for all eight (they are logged as the lab sees the close).
            let expected = keys.count * 2
            var ends: [String] = []
            for _ in 0..<200 {
                ends = lab.log.split(separator: "\n").map(String.init).filter { $0.contains("lab: port-forward ") && $0.contains(" closed by the ") }
                if ends.count >= expected { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(ends.count == expected, "\(ends)")
            #expect(ends.allSatisfy { $0.contains("closed by the client") }, "\(ends)")
            await session.shutdown()
        }
    }
}
