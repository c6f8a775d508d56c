/// The WebSocket framing (RFC 6455) a port-forward needs: masked client frames, unmasked server frames.
struct WebSocketFrame: Sendable, Hashable {
    /// Frame opcodes.
    enum Opcode: UInt8, Sendable {
        case continuation = 0x0
        case text = 0x1
        case binary = 0x2
        case close = 0x8
        case ping = 0x9
        case pong = 0xA
    }

    /// Whether this is the last frame of a message.
    var isFinal: Bool
    /// The opcode.
    var opcode: Opcode
    /// The payload (unmasked).
    var payload: [UInt8]

    /// The frame as a client sends it: masked with `mask`.
    func encoded(mask: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [(isFinal ? 0x80 : 0) | opcode.rawValue]
        let count = payload.count
        if count < 126 {
            bytes.append(0x80 | UInt8(count))
        } else if count <= 0xFFFF {
            bytes.append(0x80 | 126)
            bytes += [UInt8(count >> 8), UInt8(count & 0xFF)]
        } else {
            bytes.append(0x80 | 127)
            bytes += (0..<8).reversed().map { UInt8((UInt64(count) >> (UInt64($0) * 8)) & 0xFF) }
        }
        bytes += mask
        bytes.reserveCapacity(bytes.count + count)
        for (index, byte) in payload.enumerated() { bytes.append(byte ^ mask[index & 3]) }
        return bytes
    }

    /// Reads one frame from the stream; `nil` at the end of the stream.
    ///
    /// - Throws: ``KubeError`` (kind `badResponse`) for a malformed or oversized frame.
    static func read(from reader: inout ByteStreamReader, maxPayload: Int) async throws -> WebSocketFrame? {
        guard let head = try await reader.read(count: 2) else { return nil }
        guard let opcode = Opcode(rawValue: head[0] & 0x0F) else {
            throw KubeError(.badResponse, "the port-forward sent an unknown WebSocket opcode \(head[0] & 0x0F)")
        }
        let masked = head[1] & 0x80 != 0
        var length = Int(head[1] & 0x7F)
        if length == 126 {
            guard let bytes = try await reader.read(count: 2) else { return nil }
            length = Int(bytes[0]) << 8 | Int(bytes[1])
        } else if length == 127 {
            guard let bytes = try await reader.read(count: 8) else { return nil }
            var value: UInt64 = 0
            for byte in bytes { value = value << 8 | UInt64(byte) }
            guard value <= UInt64(maxPayload) else {
                throw KubeError(.badResponse, "the port-forward sent a WebSocket frame of \(value) bytes")
            }
            length = Int(value)
        }
        guard length <= maxPayload else { throw KubeError(.badResponse, "the port-forward sent a WebSocket frame of \(length) bytes") }
        let mask = masked ? try await reader.read(count: 4) : nil
        guard var payload = try await reader.read(count: length) else { return nil }
        if let mask {
            for index in payload.indices { payload[index] ^= mask[index & 3] }
        }
        return WebSocketFrame(isFinal: head[0] & 0x80 != 0, opcode: opcode, payload: payload)
    }
}
