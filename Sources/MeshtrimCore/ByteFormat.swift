/// Byte sizes the Kubernetes way (`950Ki`, `312Mi`, `1.2Gi`, binary units as `kubectl top` prints them): the one
/// formatter behind the CLI's tables and notes and the UI, so the same figure reads the same everywhere.
public enum ByteFormat {
    /// `950Ki`, `27Mi`, `312Mi`, `1.2Gi`: one decimal below 10 (Mi) or 100 (Gi, Ti), whole numbers above; Ki
    /// always whole; plain `B` below 1 Ki.
    public static func binary(_ bytes: Int) -> String {
        let magnitude = Double(bytes.magnitude)
        let sign = bytes < 0 ? "-" : ""
        let units: [(String, Double)] = [("Ti", 1_099_511_627_776), ("Gi", 1_073_741_824), ("Mi", 1_048_576), ("Ki", 1024)]
        for (unit, size) in units where magnitude >= size {
            let scaled = magnitude / size
            if scaled >= 100 || unit == "Mi" && scaled >= 10 || unit == "Ki" {
                return sign + String(Int(scaled.rounded())) + unit
            }
            return sign + oneDecimal(scaled) + unit
        }
        return sign + String(bytes.magnitude) + "B"
    }

    /// ``binary(_:)-(Int)``, or `-` when the size is unknown (never `0B`: zero is a measurement).
    public static func binary(_ bytes: Int?) -> String {
        bytes.map { binary($0) } ?? "-"
    }

    /// `12.5`: one decimal, rounded half away from zero, no locale.
    public static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        return sign + "\(abs(tenths) / 10).\(abs(tenths) % 10)"
    }
}
