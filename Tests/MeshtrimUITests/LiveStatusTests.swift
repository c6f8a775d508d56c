import Foundation
import MeshtrimCore
import Testing
@testable import MeshtrimUI

/// Stale live figures carry their age; the header says when the cluster was read and that a refresh failed
/// (issue 12, item 9). Times are values in the actions: the reducer has no clock.
@Suite("Live figures: fresh or stale, and since when")
struct LiveStatusTests {
    static let pod = PodKey(namespace: "bookinfo", name: "reviews-v1-545db77b95-kfqzl")
    static let readAt = ReadTime(seconds: 1_000_000, clock: "12:03:10")
    /// Twelve minutes after ``readAt``.
    static let later = ReadTime(seconds: 1_000_000 + 12 * 60 + 5, clock: "12:15:15")

    /// The bookinfo pods list at 120×40 with the detail of `pod` open when `detail`.
    func state(detail: Bool = false) throws -> AppState {
        var state = TestMesh.state(width: 120, height: 40)
        state.goToNamespace("bookinfo")
        state.press(.enter)
        if detail {
            guard case .pods(let pods) = state.top, let data = state.data else { throw TestFailure("no pods screen") }
            let row = try #require(pods.list.rows.firstIndex { data.pod(at: $0)?.pod.name == Self.pod.name })
            for _ in 0..<row { state.press(.down) }
            state.press(.enter)
            #expect(state.top.kind == .detail)
        }
        return state
    }

    /// Whether a READ column header is in `text` (READY is another column).
    static func hasReadColumn(_ text: String) -> Bool {
        text.split(separator: "\n").contains { line in line.range(of: #" READ( |$)"#, options: .regularExpression) != nil }
    }

    static let failed = LiveStatus(
        now: later, clusterReadAt: later,
        failedReads: [pod: FailedRead(message: "timed out after 2s reading /proxy/stats/prometheus", failedAt: later, figuresReadAt: readAt)])

    @Test("Ages: just now, seconds, minutes, hours, days")
    func ages() {
        let start = ReadTime(seconds: 100, clock: "00:01:40")
        #expect(start.age(at: ReadTime(seconds: 102, clock: "")) == "just now")
        #expect(start.age(at: ReadTime(seconds: 140, clock: "")) == "40s ago")
        #expect(start.age(at: ReadTime(seconds: 100 + 12 * 60 + 59, clock: "")) == "12m ago")
        #expect(start.age(at: ReadTime(seconds: 100 + 3 * 3_600, clock: "")) == "3h ago")
        #expect(start.age(at: ReadTime(seconds: 100 + 2 * 86_400, clock: "")) == "2d ago")
    }

    @Test("A pod whose last read failed shows its figures marked stale with their age; the others say ok")
    func podsListMarksStale() throws {
        var state = try state()
        let before = render(state).text
        #expect(!Self.hasReadColumn(before), "no stale figures: no READ column")
        _ = reduce(&state, .liveStatus(Self.failed))
        let lines = render(state).text.split(separator: "\n").map(String.init)
        #expect(lines.contains { Self.hasReadColumn($0) })
        let row = try #require(lines.first { $0.contains("reviews-v1") })
        #expect(row.contains("✗ 12m ago"), "\(row)")
        let other = try #require(lines.first { $0.contains("details-v1") })
        #expect(other.contains("ok") && !other.contains("✗"), "\(other)")
    }

    @Test("The detail says when the figures were read, that the last read failed, and why")
    func detailSaysWhy() throws {
        var state = try state(detail: true)
        _ = reduce(&state, .liveStatus(Self.failed))
        let text = render(state).text
        #expect(text.contains("figures read 12:03:10 (12m ago)"), "\(text)")
        #expect(text.contains("last read failed 12:15:15"))
        #expect(text.contains("timed out after 2s"))
    }

    @Test("The header says when the cluster was read, and that the last refresh failed until one succeeds")
    func headerSaysRefreshFailed() throws {
        var state = try state()
        _ = reduce(&state, .liveStatus(LiveStatus(now: Self.readAt, clusterReadAt: Self.readAt)))
        let header = { (state: AppState) in String(render(state).text.split(separator: "\n").first ?? "") }
        #expect(header(state).contains("read 12:03:10"))
        #expect(!header(state).contains("failed"))
        // The API server is gone: the flash goes, the header keeps saying so.
        _ = reduce(&state, .liveStatus(LiveStatus(now: Self.later, clusterReadAt: Self.readAt, refreshFailure: "connection refused")))
        _ = reduce(&state, .notice("refresh failed (the numbers on screen are from the last read): connection refused"))
        if let id = state.flash?.id { _ = reduce(&state, .tick(id: id)) }
        #expect(state.flash == nil)
        #expect(header(state).contains("last read 12:03:10 (12m ago) · refresh failed"), "\(header(state))")
        // Another refresh fails later: still said, the age grows.
        let evenLater = ReadTime(seconds: Self.readAt.seconds + 3_600, clock: "13:03:10")
        _ = reduce(&state, .liveStatus(LiveStatus(now: evenLater, clusterReadAt: Self.readAt, refreshFailure: "connection refused")))
        #expect(header(state).contains("(1h ago) · refresh failed"))
        // One succeeds: fresh again.
        _ = reduce(&state, .liveStatus(LiveStatus(now: evenLater, clusterReadAt: evenLater)))
        #expect(header(state).contains("read 13:03:10") && !header(state).contains("failed"))
    }

    @Test("File sources show no read time and no READ column")
    func fileSources() {
        let state = TestMesh.state(width: 120, height: 40)
        #expect(state.live.status == nil)
        #expect(!String(render(state).text.split(separator: "\n").first ?? "").contains("read "))
        #expect(!Self.hasReadColumn(render(state).text))
    }
}
