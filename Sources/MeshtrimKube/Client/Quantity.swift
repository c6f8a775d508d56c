import Foundation

/// Kubernetes resource quantities (`51296Ki`, `128Mi`, `1.5Gi`, `4411927n`, `2`, `1e3`, `500m`).
public enum Quantity {
    /// The quantity's value (`51296Ki` → 52_527_104), or `nil` for text that is not a quantity.
    public static func value(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        let binary: [(String, Double)] = [
            ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
            ("Pi", 1_125_899_906_842_624), ("Ei", 1_152_921_504_606_846_976),
        ]
        for (suffix, scale) in binary where trimmed.hasSuffix(suffix) {
            return Double(trimmed.dropLast(suffix.count)).map { $0 * scale }
        }
        let decimal: [(String, Double)] = [
            ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18),
        ]
        for (suffix, scale) in decimal where trimmed.hasSuffix(suffix) {
            // "1E" is an exponent without digits; "2E" the suffix exa.
            return Double(trimmed.dropLast(suffix.count)).map { $0 * scale }
        }
        return Double(trimmed)
    }

    /// The quantity as whole bytes (memory), rounded up as Kubernetes does.
    public static func bytes(_ text: String) -> Int? {
        guard let value = value(text), value.isFinite, value >= 0, value < 9e18 else { return nil }
        return Int(value.rounded(.up))
    }
}
