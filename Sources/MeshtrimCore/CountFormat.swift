/// Counts for people, locale-independent: `1,529`. Shared by the CLI, the UI and Core's own phrases (`fit on
/// 1,529 proxies`) so a number is written the same way wherever it appears.
public enum CountFormat {
    /// Thousands separated by commas: `1,529`, `-12,000`.
    public static func thousands(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return value < 0 ? "-" + result : result
    }
}
