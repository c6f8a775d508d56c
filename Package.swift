// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "meshtrim",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "meshtrim", targets: ["meshtrim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The lab (meshtrim lab): a Kubernetes API stand-in over HTTPS with WebSocket port-forward.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // REST and port-forward through an HTTP proxy: NIO's CONNECT handler.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // The lab's certificates (CA, server, clients) without the openssl command.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        // Live clusters (MeshtrimKube): the Kubernetes REST client.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // ncursesw as a system library: module map + static inline shims, no compiled C.
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncurses-dev"])]),
        // Pure domain: decoding, the scope engine, Sidecar manifests, config dumps, snapshots.
        .target(name: "MeshtrimCore", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Reading input files at the edge: files, standard input and directories as Core's documents and bytes.
        .target(name: "MeshtrimFiles", dependencies: ["MeshtrimCore"]),
        // Child processes: posix_spawn with redirections, process groups, timeouts, peak RSS, children that die with the parent (Glibc/Foundation only).
        .target(name: "MeshtrimProcess"),
        // Pure app: state, reducer, views into a cell buffer, key tables, runtime loop.
        .target(name: "MeshtrimUI", dependencies: ["MeshtrimCore"]),
        // The only target that talks to ncurses.
        .target(name: "MeshtrimTerminal", dependencies: ["MeshtrimUI", "CNcursesw"]),
        // A local cluster stand-in: Kubernetes API over HTTPS, real Envoys fed by file CDS (meshtrim lab).
        .target(
            name: "MeshtrimLab",
            dependencies: [
                "MeshtrimCore", "MeshtrimFiles", "MeshtrimProcess",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // A native Kubernetes client: kubeconfig, REST, WebSocket port-forward, live inventory and sidecar observations.
        .target(
            name: "MeshtrimKube",
            dependencies: [
                "MeshtrimCore", "MeshtrimFiles", "MeshtrimProcess",
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "meshtrim",
            dependencies: [
                "MeshtrimCore", "MeshtrimFiles", "MeshtrimUI", "MeshtrimTerminal", "MeshtrimLab", "MeshtrimKube", "MeshtrimProcess",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.copy("Resources/demo-snapshot.json")]
        ),
        .testTarget(name: "MeshtrimCoreTests", dependencies: ["MeshtrimCore", "MeshtrimFiles"], exclude: ["Fixtures"]),
        .testTarget(name: "MeshtrimUITests", dependencies: ["MeshtrimUI", "MeshtrimTerminal", "MeshtrimFiles"], exclude: ["__Snapshots__"]),
        // Shared test support: running processes and tools, the meshtrim binary, Envoy, a lab per test.
        .target(
            name: "MeshtrimTestSupport", dependencies: ["MeshtrimProcess", "MeshtrimCore"], path: "Tests/MeshtrimTestSupport"),
        .testTarget(name: "MeshtrimProcessTests", dependencies: ["MeshtrimProcess"]),
        .testTarget(name: "MeshtrimEndToEndTests", dependencies: ["MeshtrimCore", "MeshtrimFiles", "MeshtrimTestSupport"]),
        .testTarget(
            name: "MeshtrimLabTests",
            dependencies: [
                "MeshtrimLab", "MeshtrimCore", "MeshtrimFiles", "MeshtrimTestSupport",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .testTarget(
            name: "MeshtrimKubeTests",
            dependencies: [
                "MeshtrimKube", "MeshtrimCore", "MeshtrimFiles", "MeshtrimLab", "MeshtrimUI", "MeshtrimProcess", "MeshtrimTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
