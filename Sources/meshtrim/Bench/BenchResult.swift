import MeshtrimCore

/// One measured budget: the figure, the peer measured in the same run, and whether the budget holds.
struct BenchResult {
    /// A stable identifier, e.g. `scope-evaluation`.
    var name: String
    /// The measured figure.
    var value: Double
    /// Its unit (`ms`, `MB`, `clusters`, …).
    var unit: String
    /// What it was compared with, or `nil`.
    var peer: String?
    /// The peer's figure in the same unit, or `nil`.
    var peerValue: Double?
    /// The budget as people read it (`< 5 ms`).
    var budget: String
    /// Whether the budget holds.
    var passed: Bool

    /// `value / peerValue`, when there is a peer.
    var ratio: Double? {
        guard let peerValue, peerValue > 0 else { return nil }
        return value / peerValue
    }

    /// `PASS` or `FAIL`.
    var status: String { passed ? "PASS" : "FAIL" }

    /// The `-o json` object (keys in the documented order).
    var orderedJSON: OrderedJSON {
        func number(_ value: Double?) -> OrderedJSON {
            guard let value else { return .null }
            return .number(String(format: "%.3f", value))
        }
        let members: [(String, OrderedJSON)] = [
            ("name", .string(name)), ("value", number(value)), ("unit", .string(unit)),
            ("peer", peer.map(OrderedJSON.string) ?? .null), ("peerValue", number(peerValue)), ("ratio", number(ratio)),
            ("budget", .string(budget)), ("status", .string(status)),
        ]
        return .object(members.map { OrderedJSON.Member(key: $0.0, value: $0.1) })
    }
}
