/// Human byte sizes the way operators read them (`812.4 MB`), used by tables and the UI.
public enum ByteFormat {
    /// Decimal megabytes with one decimal (`-` for unknown); gigabytes from 10 GB up.
    public static func megabytes(_ bytes: Int?) -> String {
        guard let bytes else { return "-" }
        let value = Double(bytes) / 1_000_000
        if value >= 10_000 { return formatted(value / 1_000) + " GB" }
        return formatted(value) + " MB"
    }

    private static func formatted(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let magnitude = abs(tenths)
        return "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }
}
