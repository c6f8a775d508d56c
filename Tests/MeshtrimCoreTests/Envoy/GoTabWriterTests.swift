import Foundation
import Testing

@testable import MeshtrimCore

/// Go `text/tabwriter` semantics, checked by hand-worked cases and by re-rendering istioctl goldens from their cells.
@Suite("GoTabWriter")
struct GoTabWriterTests {
    let writer = GoTabWriter.istioctl

    @Test("column width is the widest cell plus padding 5; the last cell is never padded")
    func basicColumns() {
        #expect(writer.format("a\tb\tc\naaa\tbb\tc\n") == "a       b      c\naaa     bb     c\n")
    }

    @Test("an empty last cell leaves the padding of the cell before it (istioctl's trailing spaces)")
    func trailingPadding() {
        #expect(writer.format("TYPE\tDR\nSTATIC\t\n") == "TYPE       DR\nSTATIC     \n")
        #expect(writer.format("a\t\n") == "a     \n")
        #expect(writer.format("a\t\t\n") == "a          \n")  // two empty... columns: "a"+5, then ""+5
    }

    @Test("a line without tabs ends every column block")
    func lineWithoutTabs() {
        #expect(writer.format("a\tb\nheader\nlong-cell\tc\n") == "a     b\nheader\nlong-cell     c\n")
    }

    @Test("a line with fewer cells ends the blocks of the columns it lacks, not the earlier ones")
    func nestedBlocks() {
        #expect(writer.format("x\tlongvalue\tz\nxx\tyy\nxxx\ty\tz\n") == "x       longvalue     z\nxx      yy\nxxx     y     z\n")
    }

    @Test("widths count Unicode scalars, as Go counts runes")
    func unicodeWidth() {
        #expect(writer.format("é\tb\nab\tc\n") == "é      b\nab     c\n")
        #expect(writer.format("日本\tx\nabc\ty\n") == "日本      x\nabc     y\n")
    }

    @Test("unterminated last line, trailing tab, form feed, vertical tab, empty input")
    func edges() {
        #expect(writer.format("a\tb") == "a     b")
        #expect(writer.format("a\tb\t") == "a     b")
        #expect(writer.format("a\tb\u{0C}ccc\td\n") == "a     b\nccc     d\n")
        #expect(writer.format("a\u{0B}b\naa\u{0B}c\n") == "a      b\naa     c\n")
        #expect(writer.format("") == "")
        #expect(writer.format("\n\n") == "\n\n")
    }

    @Test("minimum width and tab padding")
    func otherSettings() {
        let wide = GoTabWriter(minWidth: 10, tabWidth: 8, padding: 1, padCharacter: UInt8(ascii: " "))
        #expect(wide.format("a\tb\n") == "a         b\n")
        let tabs = GoTabWriter(minWidth: 0, tabWidth: 8, padding: 1, padCharacter: UInt8(ascii: "\t"))
        #expect(tabs.format("a\tb\naaaaaaaaa\tc\n") == "a\t\tb\naaaaaaaaa\tc\n")
    }

    @Test("thousands of cells on one line neither crash nor slow down")
    func manyCells() {
        let line = Array(repeating: "x", count: 20_000).joined(separator: "\t") + "\n"
        let output = writer.format(line)
        #expect(output.utf8.count == 19_999 * 6 + 2)
    }

    /// Splits a tabwriter-aligned table back into tab-separated cells using the header's column starts.
    static func cells(ofAlignedTable text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        let trailingNewline = lines.last == ""
        if trailingNewline { lines.removeLast() }
        let header = Array(lines[0])
        var starts = [0]
        for index in 2..<header.count where header[index] != " " && header[index - 1] == " " && header[index - 2] == " " {
            starts.append(index)
        }
        let rebuilt = lines.map { line -> String in
            let characters = Array(line)
            var cells: [String] = []
            for (column, start) in starts.enumerated() {
                let end = column + 1 < starts.count ? starts[column + 1] : characters.count
                let slice = start < characters.count ? String(characters[start..<min(end, characters.count)]) : ""
                cells.append(column + 1 < starts.count ? slice.replacingOccurrences(of: " +$", with: "", options: .regularExpression) : slice)
            }
            return cells.joined(separator: "\t")
        }
        return rebuilt.joined(separator: "\n") + (trailingNewline ? "\n" : "")
    }

    static let goldenTables: [String] = [
        "istioctl/pkg/writer/envoy/configdump/testdata/endpoint/emptyfilter_output.txt",
        "istioctl/pkg/writer/envoy/configdump/testdata/endpoint/portfilter_output.txt",
    ]

    @Test("re-rendering istioctl's endpoint tables from their cells gives the goldens back", arguments: goldenTables)
    func endpointGoldens(path: String) throws {
        let golden = try Fixtures.istioText(path)
        #expect(writer.format(Self.cells(ofAlignedTable: golden)) == golden)
    }

    @Test("re-rendering the padding-5 sections of istioctl's pc all golden gives them back")
    func summarySections() throws {
        let golden = try Fixtures.istioText("istioctl/pkg/proxyconfig/testdata/config_dump_summary.txt")
        let sections = golden.components(separatedBy: "\n\n").filter { section in
            // Tables only; the listener table uses padding 1 ("ADDRESSES PORT") and the version block has no header.
            section.hasPrefix("NAME") || section.hasPrefix("RESOURCE NAME")
        }.filter { !$0.contains("ADDRESSES PORT") }
        #expect(sections.count == 4)  // clusters, routes, secrets, endpoints
        for section in sections {
            let table = section.hasSuffix("\n") ? section : section + "\n"
            #expect(writer.format(Self.cells(ofAlignedTable: table)) == table)
        }
    }
}
