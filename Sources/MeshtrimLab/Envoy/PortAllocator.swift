#if canImport(Glibc)
    import Glibc
#endif

/// Picks free loopback TCP ports for Envoy's admin and Prometheus listeners.
///
/// Binds port 0 and reads back what the kernel chose. Another process could take the port before Envoy binds
/// it; the fleet then sees Envoy exit and restarts it on new ports.
enum PortAllocator {
    /// A port that was free a moment ago on 127.0.0.1.
    ///
    /// - Throws: ``LabError`` when no socket can be bound.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw LabError("cannot open a socket to find a free port: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw LabError("cannot bind 127.0.0.1:0 to find a free port: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw LabError("cannot read the bound port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
