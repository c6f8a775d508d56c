import Foundation
import Testing
@testable import MeshtrimCore

/// `meshtrim check`'s formats on findings written for one rule each: GitHub's escaping, XML's, the JSON keys and
/// nulls, the text place of a finding without a file, and what `--strict` changes.
@Suite("Check report")
struct CheckReportTests {
    static let finding = CheckFinding(
        file: "dir/a,b:c.yaml", line: 7, severity: .error, code: "MT0001", message: "100% cut\r\nnext & <line> \"q\" 'a'",
        namespace: "shop", sidecar: "shop/default", pod: "shop/web-1", destination: "cart/cart.cart.svc.cluster.local")
    static let open = CheckFinding(
        file: nil, line: nil, severity: .error, code: CheckFinding.Code.importsEverything, message: "namespace shop: …", namespace: "shop")
    static let warning = CheckFinding(file: "dir/w.yaml", line: 1, severity: .warning, code: "MT0202", message: "differs")

    static func report(_ findings: [CheckFinding]) -> CheckReport {
        CheckReport(findings: findings, sidecars: [], source: "demo")
    }

    @Test("github: %, CR and LF escaped in the message; also : and , in properties")
    func github() {
        let line = Self.report([Self.finding]).github
        #expect(line == "::error file=dir/a%2Cb%3Ac.yaml,line=7,title=meshtrim MT0001::100%25 cut%0D%0Anext & <line> \"q\" 'a'\n")
        #expect(Self.report([Self.open]).github == "::error title=meshtrim MT0201::namespace shop: …\n", "no file, no line")
        #expect(Self.report([Self.warning]).github.hasPrefix("::warning file=dir/w.yaml,line=1,"))
    }

    @Test("xml: markup and quotes as entities, newlines as character references, forbidden control characters dropped")
    func xml() {
        #expect(CheckReport.xml("a & <b> \"c\" 'd'\n\u{1}e") == "a &amp; &lt;b&gt; &quot;c&quot; &apos;d&apos;&#10;e")
    }

    @Test("json: every key in order, null where absent")
    func json() throws {
        let text = Self.report([Self.finding, Self.open]).json
        let parsed = try OrderedJSON(parsing: Data(text.utf8))
        let items = try #require(parsed.arrayValue)
        #expect(items.count == 2)
        let keys = ["file", "line", "severity", "code", "message", "namespace", "sidecar", "pod", "destination"]
        for item in items { #expect(item.objectMembers?.map(\.key) == keys) }
        #expect(items[1]["file"] == .null && items[1]["line"] == .null && items[1]["pod"] == .null)
        #expect(items[0]["line"] == .number("7"))
        #expect(items[0]["message"]?.stringValue == Self.finding.message, "the message round-trips")
    }

    @Test("text: FILE:LINE, the mesh's name without a file; --strict turns warnings into failures, also in JUnit")
    func textAndStrict() {
        let report = Self.report([Self.open, Self.warning])
        let lines = report.text.split(separator: "\n").map(String.init)
        #expect(lines[0] == "demo: error [MT0201] namespace shop: …")
        #expect(lines[1] == "dir/w.yaml:1: warning [MT0202] differs")
        #expect(lines[2] == "0 Sidecars checked against demo: 1 error, 1 warning")
        let warningsOnly = Self.report([Self.warning])
        #expect(!warningsOnly.fails(strict: false))
        #expect(warningsOnly.fails(strict: true))
        #expect(!warningsOnly.junit(strict: false).contains("<failure"))
        #expect(warningsOnly.junit(strict: false).contains("<system-out>dir/w.yaml:1: warning [MT0202] differs</system-out>"))
        #expect(warningsOnly.junit(strict: true).contains("<failure type=\"MT0202\""))
    }
}
