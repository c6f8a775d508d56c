import Foundation
import Testing
@testable import MeshtrimCore

/// ``RFC3339`` reads every timestamp Kubernetes and exec plugins write exactly as Foundation's
/// `ISO8601DateFormatter` does, and refuses what is not an RFC 3339 date-time.
@Suite("RFC 3339 dates")
struct RFC3339Tests {
    /// Foundation's reading of `text`, the reference: the plain internet date-time, then with fractional seconds.
    static func foundationDate(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    @Test("whole seconds and offsets are read as Foundation reads them", arguments: [
        "2026-03-02T09:30:00Z", "1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "2000-02-29T12:00:00Z",
        "1969-12-31T23:59:59Z", "2100-12-31T00:00:01Z", "2026-03-02T09:30:00+01:00", "2026-03-02T00:30:00-05:30",
        "2026-12-31T23:59:59+14:00", "2026-01-01T00:00:00-12:00",
    ])
    func wholeSeconds(_ text: String) throws {
        let expected = try #require(Self.foundationDate(text), "Foundation does not read \(text)")
        #expect(RFC3339.date(from: text) == expected)
    }

    @Test("fractional seconds are read to the precision Foundation keeps", arguments: [
        "2026-11-27T06:15:00.123Z", "2026-11-27T06:15:00.5Z", "2026-11-27T06:15:00.000001Z",
        "2026-11-27T06:15:00.999+02:00", "2026-11-27T06:15:00.250-01:00",
    ])
    func fractionalSeconds(_ text: String) throws {
        let expected = try #require(Self.foundationDate(text), "Foundation does not read \(text)")
        let date = try #require(RFC3339.date(from: text))
        #expect(abs(date.timeIntervalSince(expected)) < 0.001)
    }

    @Test("offsets move the instant, not the wall clock")
    func offsetsAreInstants() throws {
        let utc = try #require(RFC3339.date(from: "2026-03-02T09:30:00Z"))
        #expect(RFC3339.date(from: "2026-03-02T10:30:00+01:00") == utc)
        #expect(RFC3339.date(from: "2026-03-02T04:00:00-05:30") == utc)
        #expect(RFC3339.date(from: "2026-03-02T09:30:00.5Z") == utc.addingTimeInterval(0.5))
    }

    @Test("what is not an RFC 3339 date-time is refused", arguments: [
        "", "2026-03-02", "2026-03-02T09:30:00", "2026-02-30T00:00:00Z", "2023-02-29T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-03-02T24:00:00Z", "2026-03-02T09:60:00Z", "2026-03-02T09:30:60Z",
        "2026-03-02 09:30:00Z", "2026-0a-02T09:30:00Z", "2026-03-02T09:30:00.Z", "2026-03-02T09:30:00+0100",
        "2026-03-02T09:30:00+01:00:00", "2026-03-02T09:30:00+25:00", "2026-03-02T09:30:00Zjunk", "x2026-03-02T09:30:00Z",
    ])
    func refused(_ text: String) {
        #expect(RFC3339.date(from: text) == nil)
    }

    @Test("the snapshot form is exactly JSONEncoder's .iso8601 and nothing more", arguments: [
        ("2026-03-02T09:30:00Z", true), ("2026-03-02T09:30:00.5Z", false), ("2026-03-02T09:30:00+01:00", false),
        ("2026-03-02t09:30:00z", false),
    ])
    func snapshotForm(_ text: String, accepted: Bool) {
        var copy = text
        #expect((copy.withUTF8(RFC3339.snapshotDate) != nil) == accepted)
        #expect(RFC3339.date(from: text) != nil)
    }
}
