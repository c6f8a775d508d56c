/// gzip (RFC 1952) with one DEFLATE block of fixed Huffman codes and LZ77 matches (RFC 1951): what the lab answers
/// with when a client asks for `Accept-Encoding: gzip`, so clients decompress as they do on a real API server
/// (kubectl's Go transport asks on every request; meshtrim on lists). JSON lists shrink several times over.
enum Gzip {
    /// `data` as a gzip member.
    static func compress(_ data: [UInt8]) -> [UInt8] {
        var writer = BitWriter()
        writer.bytes = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]
        writer.write(1, count: 1)  // BFINAL
        writer.write(1, count: 2)  // BTYPE 01: fixed Huffman codes
        deflate(data, into: &writer)
        writer.code(0, length: 7)  // end of block (256)
        writer.flush()
        let crc = crc32(data)
        let size = UInt32(truncatingIfNeeded: data.count)
        for value in [crc, size] { writer.bytes += (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        return writer.bytes
    }

    private static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase: [Int] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289,
        16385, 24577,
    ]
    private static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    /// Greedy LZ77 over a 32 KiB window (hash chains of 3-byte prefixes, a few candidates each), fixed codes.
    private static func deflate(_ data: [UInt8], into writer: inout BitWriter) {
        let window = 32_768
        let hashSize = 1 << 15
        var head = [Int](repeating: -1, count: hashSize)
        var previous = [Int](repeating: -1, count: window)
        func hash(_ index: Int) -> Int {
            (Int(data[index]) << 10 ^ Int(data[index + 1]) << 5 ^ Int(data[index + 2])) & (hashSize - 1)
        }
        func insert(_ index: Int) {
            guard index + 2 < data.count else { return }
            let key = hash(index)
            previous[index % window] = head[key]
            head[key] = index
        }
        var index = 0
        while index < data.count {
            var bestLength = 0
            var bestDistance = 0
            if index + 2 < data.count {
                var candidate = head[hash(index)]
                var tries = 16
                while candidate >= 0, index - candidate <= window, tries > 0 {
                    var length = 0
                    let limit = min(258, data.count - index)
                    while length < limit, data[candidate + length] == data[index + length] { length += 1 }
                    if length > bestLength {
                        bestLength = length
                        bestDistance = index - candidate
                        if length == limit { break }
                    }
                    let next = previous[candidate % window]
                    candidate = next < candidate ? next : -1
                    tries -= 1
                }
            }
            if bestLength >= 3 {
                writer.length(bestLength)
                writer.distance(bestDistance)
                for offset in 0..<bestLength { insert(index + offset) }
                index += bestLength
            } else {
                writer.literal(data[index])
                insert(index)
                index += 1
            }
        }
    }

    /// The bits of a DEFLATE stream: values least significant bit first, Huffman codes most significant bit first.
    private struct BitWriter {
        var bytes: [UInt8] = []
        private var current: UInt32 = 0
        private var filled = 0

        mutating func write(_ value: Int, count: Int) {
            for bit in 0..<count {
                current |= UInt32((value >> bit) & 1) << filled
                filled += 1
                if filled == 8 {
                    bytes.append(UInt8(current))
                    current = 0
                    filled = 0
                }
            }
        }

        mutating func code(_ value: Int, length: Int) {
            for bit in (0..<length).reversed() { write((value >> bit) & 1, count: 1) }
        }

        mutating func flush() {
            if filled > 0 { bytes.append(UInt8(current)) }
            current = 0
            filled = 0
        }

        /// A literal byte with the fixed code: 0–143 in 8 bits from 0x30, 144–255 in 9 bits from 0x190.
        mutating func literal(_ byte: UInt8) {
            if byte < 144 { code(0x30 + Int(byte), length: 8) } else { code(0x190 + Int(byte) - 144, length: 9) }
        }

        /// A match length (3–258): symbols 257–279 in 7 bits from 0, 280–285 in 8 bits from 0xC0, then extra bits.
        mutating func length(_ length: Int) {
            var slot = Gzip.lengthBase.count - 1
            while Gzip.lengthBase[slot] > length { slot -= 1 }
            let symbol = 257 + slot
            if symbol < 280 { code(symbol - 256, length: 7) } else { code(0xC0 + symbol - 280, length: 8) }
            write(length - Gzip.lengthBase[slot], count: Gzip.lengthExtra[slot])
        }

        /// A match distance (1–32768): a 5-bit code, then extra bits.
        mutating func distance(_ distance: Int) {
            var slot = Gzip.distanceBase.count - 1
            while Gzip.distanceBase[slot] > distance { slot -= 1 }
            code(slot, length: 5)
            write(distance - Gzip.distanceBase[slot], count: Gzip.distanceExtra[slot])
        }
    }

    private static let crcTable: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    /// CRC-32 (IEEE), as gzip's trailer holds it.
    static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
