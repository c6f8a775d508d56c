/// A small deterministic pseudo-random generator (SplitMix64) for reproducible generated meshes.
///
/// Foundation's and the standard library's default generators are seeded by the system, so two runs differ.
/// The demo snapshot and the lab must come out byte-identical for a given seed on every platform, so the
/// generator and every derived draw (integers, doubles, picks, shuffles) are implemented here rather than through
/// `Int.random(in:using:)`, whose algorithm the standard library does not promise to keep.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Makes a generator for `seed`; a different `stream` gives an independent sequence for the same seed.
    ///
    /// Streams let each stage of a generator draw its own numbers, so changing one stage does not reshuffle
    /// everything after it.
    public init(seed: UInt64, stream: UInt64 = 0) {
        state = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        // Warm up so that nearby seeds diverge at once.
        _ = next()
        _ = next()
    }

    /// The next 64 random bits (SplitMix64).
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A double in `0 ..< 1` with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A double in `range`.
    public mutating func double(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// An integer in `range` (uniform up to a negligible modulo bias for the small ranges used here).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound)) &+ 1
        guard width != 0 else { return Int(truncatingIfNeeded: next()) }  // the whole of Int
        return range.lowerBound &+ Int(truncatingIfNeeded: next() % width)
    }

    /// An integer in `0 ..< count`; 0 when `count` is not positive.
    public mutating func index(below count: Int) -> Int {
        count > 0 ? Int(next() % UInt64(count)) : 0
    }

    /// `true` with probability `probability`.
    public mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// A random element, `nil` for an empty collection.
    public mutating func element<C: RandomAccessCollection>(of collection: C) -> C.Element? where C.Index == Int {
        guard !collection.isEmpty else { return nil }
        return collection[collection.startIndex + index(below: collection.count)]
    }

    /// The elements in a random order (Fisher–Yates).
    public mutating func shuffled<Element>(_ elements: [Element]) -> [Element] {
        var result = elements
        guard result.count > 1 else { return result }
        for position in stride(from: result.count - 1, to: 0, by: -1) {
            result.swapAt(position, index(below: position + 1))
        }
        return result
    }

    /// Up to `count` distinct elements in a random order.
    public mutating func sample<Element>(_ elements: [Element], count: Int) -> [Element] {
        Array(shuffled(elements).prefix(max(0, count)))
    }

    /// A string of `length` characters drawn from `alphabet` (which must not be empty).
    public mutating func string(length: Int, alphabet: [Character]) -> String {
        guard !alphabet.isEmpty else { return "" }
        var text = ""
        for _ in 0..<max(0, length) { text.append(alphabet[index(below: alphabet.count)]) }
        return text
    }

    /// A roughly normal draw (Irwin–Hall sum of 4 uniforms) with this mean and standard deviation.
    public mutating func normal(mean: Double, deviation: Double) -> Double {
        var sum = 0.0
        for _ in 0..<4 { sum += unit() }
        // The sum of 4 uniforms has mean 2 and variance 1/3.
        return mean + (sum - 2) * deviation * 1.732_050_807_568_877
    }
}
