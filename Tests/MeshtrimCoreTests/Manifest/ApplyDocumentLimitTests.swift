import Foundation
import Testing

@testable import MeshtrimCore

/// `apply -f` reads hostile documents in bounded time: alias chains are refused, syntax errors have a position.
@Suite("Apply documents: hostile input")
struct ApplyDocumentLimitTests {
    /// A Sidecar with a billion-laughs chain (10^9 leaves) under a field meshtrim does not model.
    static let laughs: String = {
        var lines = [
            "apiVersion: networking.istio.io/v1", "kind: Sidecar", "metadata:", "  name: default", "  namespace: shop",
            "  annotations:", "    a0: &a0 lol",
        ]
        for level in 1...9 {
            lines.append("    a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        lines += ["spec:", "  egress:", "  - hosts: [\"./*\"]", "  unmodelled: *a9"]
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test("a billion-laughs Sidecar is refused with its line, not expanded")
    func refusesAliasBomb() {
        let error = #expect(throws: ApplyDocumentError.self) {
            try ApplyDocumentReader.read(Self.laughs, file: "laughs.yaml", defaultNamespace: "default")
        }
        #expect(
            error?.description
                == "laughs.yaml:1: the document expands to more than 1000000 YAML nodes through aliases (*anchor); write a Sidecar without nested anchors")
    }

    @Test("a few aliases are fine")
    func allowsSmallAliases() throws {
        let text = """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: shop, labels: &labels {team: a}, annotations: *labels}
            spec:
              egress:
              - hosts: ["./*"]

            """
        let documents = try ApplyDocumentReader.read(text, file: "s.yaml", defaultNamespace: "default")
        #expect(documents.map(\.qualifiedName) == ["shop/default"])
    }

    @Test("a YAML syntax error names line and column")
    func syntaxErrorPosition() {
        let error = #expect(throws: ApplyDocumentError.self) {
            try ApplyDocumentReader.read("kind: Sidecar\nmetadata: {name: [x\n", file: "bad.yaml", defaultNamespace: "default")
        }
        #expect(error?.line == 3)
        #expect(error?.column != nil)
        #expect(error?.description.hasPrefix("bad.yaml:3:") == true, "\(error.map(String.init(describing:)) ?? "")")
    }
}
