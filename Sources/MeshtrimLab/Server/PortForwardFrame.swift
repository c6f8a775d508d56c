import Foundation
import NIOCore

/// The framing of Kubernetes' WebSocket port-forward protocols (`v4.channel.k8s.io` and `v4.base64.channel.k8s.io`).
///
/// Port number *i* of the request uses channel `2i` for data and `2i+1` for errors. Every binary message is one
/// channel byte followed by the payload; the base64 variant sends text messages of one ASCII digit (`'0' + channel`)
/// followed by the payload in base64. The first message on every channel is the port number as a little-endian
/// `UInt16` (docs/kubernetes-and-envoy.md §4.3).
public enum PortForwardFrame {
    /// How payloads travel.
    public enum Encoding: String, Sendable, CaseIterable {
        /// `v4.channel.k8s.io`: binary messages.
        case binary = "v4.channel.k8s.io"
        /// `v4.base64.channel.k8s.io`: text messages with base64 payloads.
        case base64 = "v4.base64.channel.k8s.io"

        /// The protocol the server picks from a `Sec-WebSocket-Protocol` request header (binary preferred).
        public static func negotiate(_ header: String) -> Encoding? {
            let offered = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return allCases.first { offered.contains($0.rawValue) }
        }
    }

    /// One decoded message: a channel and its payload.
    public struct Message: Hashable, Sendable {
        /// The channel.
        public var channel: UInt8
        /// The payload.
        public var payload: [UInt8]

        /// Makes a message.
        public init(channel: UInt8, payload: [UInt8]) {
            self.channel = channel
            self.payload = payload
        }
    }

    /// The bytes of a binary message (`[channel] + payload`).
    public static func binary(channel: UInt8, payload: some Collection<UInt8>) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(payload.count + 1)
        buffer.writeInteger(channel)
        buffer.writeBytes(payload)
        return buffer
    }

    /// The text of a base64 message (`"0"` + base64).
    public static func base64(channel: UInt8, payload: some Collection<UInt8>) -> String {
        String(UnicodeScalar(UInt8(ascii: "0") + channel)) + Data(payload).base64EncodedString()
    }

    /// The first message of a channel: the port, little-endian.
    public static func portPrefix(_ port: Int) -> [UInt8] {
        [UInt8(port & 0xFF), UInt8((port >> 8) & 0xFF)]
    }

    /// Decodes a binary message; `nil` when it is empty.
    public static func decode(binary buffer: ByteBuffer) -> Message? {
        var buffer = buffer
        guard let channel = buffer.readInteger(as: UInt8.self) else { return nil }
        return Message(channel: channel, payload: buffer.readBytes(length: buffer.readableBytes) ?? [])
    }

    /// Decodes a base64 text message; `nil` when it is empty or not base64.
    public static func decode(text: String) -> Message? {
        guard let first = text.utf8.first, first >= UInt8(ascii: "0") else { return nil }
        let body = String(text.dropFirst())
        guard let bytes = Data(base64Encoded: body) else { return nil }
        return Message(channel: first - UInt8(ascii: "0"), payload: Array(bytes))
    }
}
