// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "meshtrim",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "meshtrim", targets: ["meshtrim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // ncursesw as a system library: module map + static inline shims, no compiled C.
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncurses-dev"])]),
        // Pure domain: decoding, the scope engine, Sidecar manifests, config dumps, snapshots.
        .target(name: "MeshtrimCore", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Pure app: state, reducer, views into a cell buffer, key tables, runtime loop.
        .target(name: "MeshtrimUI", dependencies: ["MeshtrimCore"]),
        // The only target that talks to ncurses.
        .target(name: "MeshtrimTerminal", dependencies: ["MeshtrimUI", "CNcursesw"]),
        .executableTarget(
            name: "meshtrim",
            dependencies: [
                "MeshtrimCore", "MeshtrimUI", "MeshtrimTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "MeshtrimCoreTests", dependencies: ["MeshtrimCore"], exclude: ["__Snapshots__"]),
        .testTarget(name: "MeshtrimUITests", dependencies: ["MeshtrimUI", "MeshtrimTerminal"], exclude: ["__Snapshots__"]),
        .testTarget(name: "MeshtrimEndToEndTests", dependencies: ["MeshtrimCore"]),
    ],
    swiftLanguageModes: [.v6]
)
