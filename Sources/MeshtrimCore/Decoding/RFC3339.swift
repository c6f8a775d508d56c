import Foundation

/// Reads RFC 3339 timestamps as Kubernetes, exec credential plugins and meshtrim's snapshots write them
/// (`2026-03-02T09:30:00Z`, `2026-03-02T09:30:00.123456Z`, `2026-03-02T09:30:00+01:00`).
///
/// Written by hand because every live pod and every snapshot object carries one: Foundation's
/// `ISO8601DateFormatter` is general, must be built per thread and is slow on Linux (building two per object
/// was 38 % of decoding a 50,000-pod list), and no well-kept package parses RFC 3339 alone. The parser is
/// strict: fields must be in range (leap years counted, no leap second), and anything else answers `nil`.
public enum RFC3339 {
    /// The date `text` names, or `nil` when it is not an RFC 3339 date-time
    /// (`yyyy-MM-ddTHH:mm:ss[.fraction](Z|±HH:mm)`).
    public static func date(from text: String) -> Date? {
        var copy = text
        return copy.withUTF8 { parse($0, allowingFractionAndOffset: true) }
    }

    /// The date in exactly the form meshtrim writes into snapshots (`JSONEncoder`'s `.iso8601`,
    /// `yyyy-MM-ddTHH:mm:ssZ`), or `nil` for anything else, so that the snapshot's fast reader falls back to
    /// Foundation and reads what Foundation reads.
    static func snapshotDate(_ text: UnsafeBufferPointer<UInt8>) -> Date? {
        parse(text, allowingFractionAndOffset: false)
    }

    private static func parse(_ text: UnsafeBufferPointer<UInt8>, allowingFractionAndOffset: Bool) -> Date? {
        guard text.count >= 20, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"),
            text[10] == UInt8(ascii: "T") || (allowingFractionAndOffset && text[10] == UInt8(ascii: "t")),
            text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":")
        else { return nil }
        guard let year = number(text, 0, 4), let month = number(text, 5, 2), let day = number(text, 8, 2),
            let hour = number(text, 11, 2), let minute = number(text, 14, 2), let second = number(text, 17, 2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60,
            second < 60
        else { return nil }
        var position = 19
        var fraction = 0.0
        if allowingFractionAndOffset, text[position] == UInt8(ascii: ".") {
            position += 1
            var scale = 0.1
            let digitsStart = position
            while position < text.count, let digit = digit(text[position]) {
                fraction += Double(digit) * scale
                scale /= 10
                position += 1
            }
            guard position > digitsStart else { return nil }
        }
        guard position < text.count else { return nil }
        var offsetSeconds = 0
        switch text[position] {
        case UInt8(ascii: "Z"):
            position += 1
        case UInt8(ascii: "z") where allowingFractionAndOffset:
            position += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard allowingFractionAndOffset, text.count == position + 6, text[position + 3] == UInt8(ascii: ":"),
                let offsetHour = number(text, position + 1, 2), let offsetMinute = number(text, position + 4, 2),
                offsetHour < 24, offsetMinute < 60
            else { return nil }
            let sign = text[position] == UInt8(ascii: "+") ? 1 : -1
            offsetSeconds = sign * (offsetHour * 3_600 + offsetMinute * 60)
            position += 6
        default:
            return nil
        }
        guard position == text.count else { return nil }
        let seconds = daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + second
            - offsetSeconds
        return Date(timeIntervalSince1970: TimeInterval(seconds) + fraction)
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func number(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) -> Int? {
        var value = 0
        for position in start..<(start + length) {
            guard let digit = digit(text[position]) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
