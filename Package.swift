// swift-tools-version: 6.0
// hookwalk: documents how packets travel through a Linux host's netfilter hooks.
// Data path: snapshot files -> HookwalkParsers -> HookwalkModel -> HookwalkSimulator (traces)
// -> HookwalkRender (files). HookwalkLab checks the simulator against the running kernel.
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
    ],
    targets: [
        .target(name: "HookwalkModel"),
        .target(name: "HookwalkParsers", dependencies: ["HookwalkModel"]),
        .target(name: "HookwalkSimulator", dependencies: ["HookwalkModel"]),
        .target(name: "HookwalkFindings", dependencies: ["HookwalkModel", "HookwalkSimulator"]),
        .systemLibrary(
            name: "CGraphviz",
            pkgConfig: "libgvc",
            providers: [.apt(["libgraphviz-dev"])]
        ),
        .target(
            name: "HookwalkRender",
            dependencies: [
                "HookwalkModel", "HookwalkSimulator", "HookwalkFindings", "CGraphviz",
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .target(name: "HookwalkDiff", dependencies: ["HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkRender"]),
        .target(name: "HookwalkLab", dependencies: ["HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkRender"]),
        .executableTarget(
            name: "hookwalk",
            dependencies: [
                "HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkRender", "HookwalkLab", "HookwalkDiff", "HookwalkFindings",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "hookwalk-bench",
            dependencies: ["HookwalkModel", "HookwalkParsers", "HookwalkSimulator"],
            path: "Sources/hookwalk-bench"
        ),
        // Where the tests' inputs are (Tests/Fixtures, the external nft corpus) and the lab
        // requirement switch (HOOKWALK_REQUIRE_LAB): one locator for every test target.
        .target(name: "HookwalkTestSupport", path: "Tests/HookwalkTestSupport"),
        .testTarget(name: "HookwalkParsersTests", dependencies: ["HookwalkTestSupport", "HookwalkModel", "HookwalkParsers"]),
        .testTarget(name: "HookwalkSimulatorTests", dependencies: ["HookwalkTestSupport", "HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkRender", "HookwalkLab"]),
        .testTarget(name: "HookwalkRenderTests", dependencies: ["HookwalkTestSupport", "HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkRender", "HookwalkFindings"]),
        .testTarget(name: "HookwalkFindingsTests", dependencies: ["HookwalkTestSupport", "HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkFindings", "HookwalkRender"]),
        .testTarget(name: "HookwalkDiffTests", dependencies: ["HookwalkTestSupport", "HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkDiff"]),
        .testTarget(name: "HookwalkLabTests", dependencies: ["HookwalkTestSupport", "HookwalkModel", "HookwalkParsers", "HookwalkSimulator", "HookwalkRender", "HookwalkLab", "HookwalkFindings"],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
