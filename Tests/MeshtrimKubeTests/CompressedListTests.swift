import Foundation
import MeshtrimCore
import MeshtrimKube
import MeshtrimTestSupport
import Testing

/// Lists travel gzip-compressed (issue #16 item 8): meshtrim asks for gzip on lists and reads the lab's compressed
/// pages; kubectl (whose Go transport asks on every request) reads them too.
@Suite(.timeLimit(.minutes(3)))
struct CompressedListTests {
    @Test(.enabled(if: shouldRunTests(needing: "kubectl")))
    func listsAreAskedForAndReadGzipped() async throws {
        try requireTool("kubectl")
        try await withLab(["--namespaces", "6", "--services", "30", "--pods", "300"], envoy: false) { lab in
            let client = try await KubeClient.connect(try lab.access())
            let pods = try await client.listPages("/api/v1/pods")
            #expect(pods.contentEncodings == ["gzip"], "a 300-pod page is over the API server's 128 KiB threshold")
            struct List: Decodable { var items: [JSONValue] }
            let count = try pods.pages.reduce(0) { $0 + (try JSONDecoder().decode(List.self, from: $1)).items.count }
            #expect(count == 300)
            // A small answer and a non-list are never compressed: meshtrim asks for identity there.
            let namespaces = try await client.send("GET", "/api/v1/namespaces/istio-system")
            #expect(namespaces.contentEncoding == nil)
            await client.shutdown()

            // Go's transport asks for gzip itself and hides the header once it has decompressed: the whole list
            // arriving intact is what shows kubectl reads the lab's gzip.
            let kubectl = try lab.kubectl(["get", "pods", "-A", "-o", "json"])
            #expect(kubectl.exitCode == 0, "\(kubectl.stderr.suffix(2000))")
            let list = try JSONValue.parse(Data(kubectl.stdout.utf8))
            #expect(list["items"]?.arrayValue?.count == 300)
        }
    }
}
