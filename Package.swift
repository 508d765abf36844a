// swift-tools-version: 6.0
// hookwalk: documents how packets travel through a Linux host's netfilter hooks.
// Data path: snapshot files -> HookwalkParsers -> HookwalkModel -> HookwalkSimulator (traces)
// -> HookwalkRender (files). HookwalkLab checks the simulator against the running kernel;
// HookwalkCollect writes snapshot folders from the live host. Both run programs through
// HookwalkProcess only. Every dependency listed below is imported by its target.
import PackageDescription

let package = Package(
    name: "hookwalk",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "hookwalk", targets: ["hookwalk"]),
        .library(name: "HookwalkModel", targets: ["HookwalkModel"]),
        .library(name: "HookwalkParsers", targets: ["HookwalkParsers"]),
        .library(name: "HookwalkSimulator", targets: ["HookwalkSimulator"]),
        .library(name: "HookwalkFindings", targets: ["HookwalkFindings"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
    ],
    targets: [
        .target(name: "HookwalkModel"),
        // The one way the project runs programs (nft, ip, docker, python3, the built hookwalk).
        .target(
            name: "HookwalkProcess",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system", condition: .when(platforms: [.linux])),
            ]
        ),
        .target(name: "HookwalkParsers", dependencies: ["HookwalkModel"]),
        .target(name: "HookwalkSimulator", dependencies: ["HookwalkModel"]),
        // `hookwalk collect`: runs nft, ip, docker, nsenter on the live host; writes a snapshot folder.
        .target(name: "HookwalkCollect", dependencies: ["HookwalkModel", "HookwalkParsers", "HookwalkProcess"]),
        .target(name: "HookwalkFindings", dependencies: ["HookwalkModel", "HookwalkSimulator"]),
        .systemLibrary(
            name: "CGraphviz",
            pkgConfig: "libgvc",
            providers: [.apt(["libgraphviz-dev"])]
        ),
        .target(
            name: "HookwalkRender",
            dependencies: [
                "HookwalkModel", "HookwalkSimulator", "HookwalkFindings", "HookwalkProcess", "CGraphviz",
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .target(name: "HookwalkDiff", dependencies: ["HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkRender"]),
        .target(name: "HookwalkLab", dependencies: ["HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkProcess"]),
        .executableTarget(
            name: "hookwalk",
            dependencies: [
                "HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkRender", "HookwalkLab", "HookwalkDiff", "HookwalkFindings", "HookwalkCollect",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "hookwalk-bench",
            dependencies: ["HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkProcess"],
            path: "Sources/hookwalk-bench"
        ),
        // Where the tests' inputs are (Tests/Fixtures, the external nft corpus) and the lab
        // requirement switch (HOOKWALK_REQUIRE_LAB): one locator for every test target.
        .target(name: "HookwalkTestSupport", dependencies: ["HookwalkProcess"], path: "Tests/HookwalkTestSupport"),
        .testTarget(name: "HookwalkProcessTests", dependencies: ["HookwalkProcess"]),
        .testTarget(name: "HookwalkCollectTests", dependencies: ["HookwalkTestSupport", "HookwalkModel", "HookwalkParsers", "HookwalkProcess", "HookwalkCollect"]),
        .testTarget(name: "HookwalkParsersTests", dependencies: ["HookwalkTestSupport", "HookwalkModel", "HookwalkParsers"]),
        .testTarget(name: "HookwalkSimulatorTests", dependencies: ["HookwalkTestSupport", "HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkLab", "HookwalkProcess"]),
        .testTarget(name: "HookwalkRenderTests", dependencies: ["HookwalkTestSupport", "HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkRender", "HookwalkFindings"]),
        .testTarget(name: "HookwalkFindingsTests", dependencies: ["HookwalkTestSupport", "HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkFindings"]),
        .testTarget(name: "HookwalkDiffTests", dependencies: ["HookwalkTestSupport", "HookwalkModel", "HookwalkParsers", "HookwalkRender", "HookwalkDiff"]),
        .testTarget(name: "HookwalkLabTests", dependencies: ["HookwalkTestSupport", "HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkRender", "HookwalkLab", "HookwalkFindings", "HookwalkProcess"],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
