// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// jemalloc is linked into the harness when the library is on this machine (`apt-get install libjemalloc-dev`).
/// Without it everything still builds, and the harness reports allocation metrics as unavailable.
/// `SLUICE_JEMALLOC=0` forces the build without it.
let jemallocLibraryPaths = [
    "/usr/lib/x86_64-linux-gnu/libjemalloc.so",
    "/usr/lib/aarch64-linux-gnu/libjemalloc.so",
    "/usr/lib/libjemalloc.so",
    "/usr/local/lib/libjemalloc.so",
]
let jemallocWanted = ProcessInfo.processInfo.environment["SLUICE_JEMALLOC"] != "0"
let jemallocFound = jemallocWanted && jemallocLibraryPaths.contains { FileManager.default.fileExists(atPath: $0) }
let jemallocLinker: [LinkerSetting] = jemallocFound ? [.linkedLibrary("jemalloc")] : []
let jemallocC: [CSetting] = jemallocFound ? [.define("SLUICE_HAVE_JEMALLOC")] : []

/// valgrind's Callgrind client requests are C macros in `valgrind/callgrind.h` (`apt-get install valgrind`).
/// Without the header the shim compiles to stubs, and the instruction lane reports itself unavailable.
let callgrindHeaderPaths = ["/usr/include/valgrind/callgrind.h", "/usr/local/include/valgrind/callgrind.h"]
let callgrindFound = callgrindHeaderPaths.contains { FileManager.default.fileExists(atPath: $0) }
let callgrindC: [CSetting] = callgrindFound ? [.define("SLUICE_HAVE_CALLGRIND")] : []

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SluiceJSON", targets: ["SluiceJSON"]),
        .library(name: "Sluice", targets: ["Sluice"]),
        .library(name: "SluiceState", targets: ["SluiceState"]),
        .library(name: "SluiceEventTime", targets: ["SluiceEventTime"]),
        .library(name: "SluiceReactive", targets: ["SluiceReactive"]),
        .library(name: "SluiceTestKit", targets: ["SluiceTestKit"]),
        .library(name: "SluiceBench", targets: ["SluiceBench"]),
        .executable(name: "sluice-bench", targets: ["sluice-bench"]),
        .executable(name: "sluice", targets: ["sluice"]),
        .library(name: "SluiceConnectors", targets: ["SluiceConnectors"]),
        .library(name: "SluiceManifest", targets: ["SluiceManifest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/OpenCombine/OpenCombine", from: "0.14.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // Bytes in; tokens and values out. Pure, synchronous, no I/O, no dependencies but the CSluiceSIMD header.
        .target(name: "SluiceJSON", dependencies: ["CSluiceSIMD"]),
        // SIMD byte classification (compare + move-mask) as static inline C, for SluiceJSON's SIMD scan path.
        .target(name: "CSluiceSIMD"),
        // The engine: stages, channels, engines, fusion, error channel, metrics.
        .target(
            name: "Sluice",
            dependencies: [
                "SluiceJSON",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            // Debug builds carry the channel wait hooks that SluiceTestKit's ScheduleController reads; release
            // builds carry none of it.
            swiftSettings: [.define("SLUICE_SCHEDULE_HOOKS", .when(configuration: .debug))]
        ),
        // Keyed state backends, checkpoints, replay journal, recovery.
        .target(
            name: "SluiceState",
            dependencies: ["Sluice", .product(name: "Metrics", package: "swift-metrics")]
        ),
        // Event time: window assigners, triggers, watermarks, late elements, slice merging, the resequencer.
        .target(
            name: "SluiceEventTime",
            dependencies: [
                "Sluice", "SluiceState", .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        // Connectors by URI scheme (file, stdin, stdout, tcp and redis streams on swift-nio), with option schemas.
        .target(
            name: "SluiceConnectors",
            dependencies: [
                "Sluice", "SluiceState", .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Declarative pipelines: YAML/JSON manifests validated, compiled to a graph and run on the engines.
        .target(
            name: "SluiceManifest",
            dependencies: [
                "Sluice", "SluiceJSON", "SluiceState", "SluiceConnectors", "SluiceEventTime",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Test support shipped as a library: virtual clock, seeded generators, sequence checker.
        .target(
            name: "SluiceTestKit",
            dependencies: ["Sluice", .product(name: "OpenCombine", package: "OpenCombine")],
            swiftSettings: [.define("SLUICE_SCHEDULE_HOOKS", .when(configuration: .debug))]
        ),
        // Reactive interop: Sluice sources, pipelines and sinks as Publishers and Subscribers with demand
        // (OpenCombine), and AsyncSequence in and out.
        .target(
            name: "SluiceReactive",
            dependencies: ["Sluice", .product(name: "OpenCombine", package: "OpenCombine")]
        ),
        // jemalloc shim: resolves mallctl at run time, so a build without jemalloc still works. jemalloc itself
        // is linked into the `sluice-bench` executable only (its worker processes measure allocations): the
        // test bundle keeps the system allocator, because jemalloc 5.3.0 crashed there under the test
        // process's thread churn (dispatch overcommit threads coming and going while other tests run).
        .target(name: "CJemalloc", cSettings: jemallocC),
        // Callgrind client requests (start/stop counting around a region), as functions Swift can call.
        .target(name: "CCallgrind", cSettings: callgrindC),
        // The harness.
        .target(
            name: "SluiceBench",
            dependencies: [
                "Sluice",
                "SluiceJSON",
                "SluiceState",
                "SluiceEventTime",
                "SluiceManifest",
                "SluiceConnectors",
                "SluiceTestKit",
                "SluiceReactive",
                "CJemalloc",
                "CCallgrind",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .executableTarget(
            name: "sluice-bench",
            dependencies: [
                "SluiceBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: jemallocLinker
        ),
        .executableTarget(
            name: "sluice",
            dependencies: [
                "SluiceJSON",
                "SluiceManifest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The crash-injection child process: file source → keyed aggregation → file sink, with checkpoints.
        .executableTarget(name: "sluice-checkpoint-worker", dependencies: ["SluiceState"]),
        .testTarget(name: "SluiceJSONTests", dependencies: ["SluiceJSON", "SluiceTestKit"]),
        .testTarget(
            name: "SluiceTests",
            dependencies: [
                "Sluice", "SluiceTestKit", .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(name: "SluiceStateTests", dependencies: ["SluiceState", "SluiceTestKit"]),
        .testTarget(
            name: "SluiceEventTimeTests",
            dependencies: [
                "SluiceEventTime", "SluiceTestKit", .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "SluiceTestKitTests",
            dependencies: ["SluiceTestKit", "Sluice"],
            swiftSettings: [.define("SLUICE_SCHEDULE_HOOKS", .when(configuration: .debug))]
        ),
        .testTarget(
            name: "SluiceReactiveTests",
            dependencies: ["SluiceReactive", "SluiceTestKit", .product(name: "OpenCombine", package: "OpenCombine")],
            swiftSettings: [.define("SLUICE_SCHEDULE_HOOKS", .when(configuration: .debug))]
        ),
        .testTarget(
            name: "SluiceManifestTests",
            dependencies: [
                "SluiceManifest", "SluiceConnectors", "SluiceTestKit",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The RESP parser (seeded fuzz), the Redis client and the Redis Streams connector against a real redis-server.
        .testTarget(
            name: "SluiceConnectorsTests",
            dependencies: [
                "SluiceConnectors", "SluiceManifest", "SluiceTestKit",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "SluiceBenchTests", dependencies: ["SluiceBench", "SluiceTestKit"]),
        // Runs the built executables and checks stdout, stderr and exit codes.
        .testTarget(name: "SluiceCLITests", dependencies: ["SluiceTestKit", "SluiceBench"]),
    ]
)
