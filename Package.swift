// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "aegis",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "aegisd", targets: ["aegisd"]),
        .executable(name: "aegis", targets: ["aegis"]),
        .executable(name: "aegis-bench", targets: ["aegis-bench"]),
    ],
    targets: [
        // C libraries from Debian's -dev packages.
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Kernel interfaces Glibc does not export to Swift (epoll, eventfd, signalfd, accept4).
        .systemLibrary(name: "CSystem"),

        // Pure logic: plans, limit arithmetic, codecs, configuration. No I/O.
        .target(name: "AegisCore", dependencies: ["CCrypto"]),
        // Thin adapters over the C clients.
        .target(name: "AegisRedis", dependencies: ["AegisCore", "CHiredis", "CCrypto", "CSystem"], resources: [.copy("Scripts")]),
        .target(name: "AegisPostgres", dependencies: ["AegisCore", "CLibPQ"]),
        // The PostgreSQL schema, its migrations and the named queries.
        .target(name: "AegisStore", dependencies: ["AegisCore", "AegisPostgres"], resources: [.copy("Migrations")]),
        // The decision daemon: event loop, transports, cache, limiter client, log shipping.
        .target(name: "AegisDaemon", dependencies: ["AegisCore", "AegisRedis", "AegisStore", "CSystem"]),
        // The admin command line.
        .target(name: "AegisAdmin", dependencies: ["AegisCore", "AegisStore", "AegisRedis", "CSystem"]),

        .executableTarget(name: "aegisd", dependencies: ["AegisDaemon"]),
        .executableTarget(name: "aegis", dependencies: ["AegisAdmin"]),
        // The load generator behind deploy/bench.
        .executableTarget(name: "aegis-bench", dependencies: ["AegisCore"]),

        // Helpers the test targets share: a database per test, a seeded generator, a silent server.
        .target(name: "AegisTestSupport", dependencies: ["AegisStore", "AegisPostgres"], path: "Tests/AegisTestSupport"),

        .testTarget(name: "AegisCoreTests", dependencies: ["AegisCore", "AegisTestSupport"]),
        .testTarget(name: "AegisRedisTests", dependencies: ["AegisRedis", "AegisTestSupport"]),
        .testTarget(name: "AegisStoreTests", dependencies: ["AegisStore", "AegisAdmin", "AegisTestSupport"]),
        .testTarget(
            name: "AegisDaemonTests",
            dependencies: [
                "AegisDaemon", "AegisAdmin", "AegisRedis", "aegisd", "aegis", "aegis-bench", "AegisTestSupport",
            ]),
        .testTarget(name: "AegisAdminTests", dependencies: ["AegisAdmin", "AegisTestSupport"]),
    ]
)
