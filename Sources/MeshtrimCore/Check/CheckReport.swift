import Foundation

/// What `meshtrim check` found, and the Sidecars it checked, in the formats CI systems read (`-o text`, `json`,
/// `junit`, `github`). Pure: the command prints one of them and exits by ``fails(strict:)``.
public struct CheckReport: Sendable {
    /// Findings, Sidecar by Sidecar in the order read, then the namespaces' (`--require-scope`).
    public var findings: [CheckFinding]
    /// The checked Sidecars, one per namespace and name, in the order read.
    public var sidecars: [CheckedSidecar]
    /// The mesh checked against (`demo`, a snapshot file, a context).
    public var source: String

    /// Makes a report.
    public init(findings: [CheckFinding], sidecars: [CheckedSidecar], source: String) {
        self.findings = findings
        self.sidecars = sidecars
        self.source = source
    }

    /// Whether the check fails: any error, or with `strict` any warning.
    public func fails(strict: Bool) -> Bool {
        findings.contains { $0.fails(strict: strict) }
    }

    /// How many findings have `severity`.
    public func count(_ severity: CheckFinding.Severity) -> Int {
        findings.count { $0.severity == severity }
    }

    // MARK: Text

    /// `FILE:LINE: error|warning [CODE] message` per finding (the mesh's name in place of a file for a namespace no
    /// checked Sidecar governs), then a summary line.
    public var text: String {
        var lines = findings.map { finding in
            "\(place(finding)): \(finding.severity.rawValue) [\(finding.code)] \(finding.message)"
        }
        let errors = count(.error)
        let warnings = count(.warning)
        lines.append(
            "\(Self.counted(sidecars.count, "Sidecar")) checked against \(source): \(Self.counted(errors, "error")), "
                + Self.counted(warnings, "warning"))
        return lines.joined(separator: "\n") + "\n"
    }

    private func place(_ finding: CheckFinding) -> String {
        guard let file = finding.file else { return source }
        return finding.line.map { "\(file):\($0)" } ?? file
    }

    private static func counted(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    // MARK: JSON

    /// An array of `{file, line, severity, code, message, namespace, sidecar, pod, destination}`, keys in that
    /// order, `null` where absent.
    public var json: String {
        func string(_ value: String?) -> OrderedJSON { value.map(OrderedJSON.string) ?? .null }
        let items = findings.map { finding -> OrderedJSON in
            let members: [(String, OrderedJSON)] = [
                ("file", string(finding.file)), ("line", finding.line.map { .number(String($0)) } ?? .null),
                ("severity", .string(finding.severity.rawValue)), ("code", .string(finding.code)),
                ("message", .string(finding.message)), ("namespace", string(finding.namespace)),
                ("sidecar", string(finding.sidecar)), ("pod", string(finding.pod)), ("destination", string(finding.destination)),
            ]
            return .object(members.map { OrderedJSON.Member(key: $0.0, value: $0.1) })
        }
        return OrderedJSON.array(items).formatted(indent: "  ") + "\n"
    }

    // MARK: JUnit

    /// JUnit XML: one test case per checked Sidecar (and one per namespace with findings but no checked Sidecar), a
    /// `<failure>` per error (and per warning with `strict`), the other warnings in `<system-out>`.
    public func junit(strict: Bool) -> String {
        var cases: [(name: String, classname: String, findings: [CheckFinding])] = sidecars.map { item in
            ("Sidecar \(item.qualifiedName)", item.file, findings.filter { $0.sidecar == item.qualifiedName })
        }
        let known = Set(sidecars.map(\.qualifiedName))
        var others: [String: [CheckFinding]] = [:]
        for finding in findings where finding.sidecar.map({ !known.contains($0) }) ?? true {
            others[finding.sidecar.map { "Sidecar \($0)" } ?? "namespace \(finding.namespace ?? "")", default: []].append(finding)
        }
        for name in others.keys.sorted() { cases.append((name, source, others[name] ?? [])) }
        let failures = cases.reduce(0) { $0 + $1.findings.count { $0.fails(strict: strict) } }
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<testsuites name=\"meshtrim check\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\">",
            "  <testsuite name=\"meshtrim check against \(Self.xml(source))\" tests=\"\(cases.count)\" failures=\"\(failures)\" "
                + "errors=\"0\" skipped=\"0\">",
        ]
        for testCase in cases {
            let head = "    <testcase classname=\"\(Self.xml(testCase.classname))\" name=\"\(Self.xml(testCase.name))\""
            if testCase.findings.isEmpty {
                lines.append(head + "/>")
                continue
            }
            lines.append(head + ">")
            for finding in testCase.findings where finding.fails(strict: strict) {
                lines.append(
                    "      <failure type=\"\(Self.xml(finding.code))\" message=\"\(Self.xml("[\(finding.code)] \(finding.message)"))\">"
                        + Self.xml("\(place(finding)): \(finding.severity.rawValue) [\(finding.code)] \(finding.message)")
                        + "</failure>")
            }
            let notes = testCase.findings.filter { !$0.fails(strict: strict) }
            if !notes.isEmpty {
                let text = notes.map { "\(place($0)): \($0.severity.rawValue) [\($0.code)] \($0.message)" }.joined(separator: "\n")
                lines.append("      <system-out>\(Self.xml(text))</system-out>")
            }
            lines.append("    </testcase>")
        }
        lines += ["  </testsuite>", "</testsuites>"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Text for XML content and attribute values: markup characters escaped, characters XML 1.0 forbids (other
    /// control characters, lone surrogates cannot occur in a Swift string) dropped; newlines kept as `&#10;`.
    static func xml(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\n": result += "&#10;"
            case "\r": result += "&#13;"
            case "\t": result += "&#9;"
            default:
                let value = scalar.value
                if value < 0x20 || value == 0xFFFE || value == 0xFFFF { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    // MARK: GitHub

    /// GitHub Actions workflow commands: `::error file=F,line=L,title=meshtrim CODE::message` (`::warning` for
    /// warnings), escaped as GitHub reads them (`%`, CR and LF in the message; also `:` and `,` in properties).
    public var github: String {
        findings.map { finding in
            var properties: [String] = []
            if let file = finding.file { properties.append("file=" + Self.githubProperty(file)) }
            if let line = finding.line, finding.file != nil { properties.append("line=\(line)") }
            properties.append("title=" + Self.githubProperty("meshtrim \(finding.code)"))
            return "::\(finding.severity.rawValue) \(properties.joined(separator: ","))::\(Self.githubData(finding.message))"
        }.map { $0 + "\n" }.joined()
    }

    /// A workflow command's message: `%`, `\r`, `\n` percent-encoded.
    static func githubData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// A workflow command's property value: as a message, plus `:` and `,`.
    static func githubProperty(_ text: String) -> String {
        githubData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
