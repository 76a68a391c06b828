import Foundation
@testable import SluiceConnectors
import SluiceManifest
import SluiceTestKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A password-protected server (`requirepass`): a manifest whose endpoints name the password's environment
/// variable (`password-env`) runs; a wrong password, or none, is an `authentication failed` error that names the
/// user and the variable, never the password.
@Suite(.enabled(if: redisAvailable, "\(redisSkipReason)"), .timeLimit(.minutes(1)))
struct RedisAuthTests {
    static let password = "s3cret-\(UInt32.random(in: 0...UInt32.max))"

    /// A server with `password`, and a pool that authenticates to it.
    static func withProtectedServer(_ body: (RedisServer, RedisConnectionPool) async throws -> Void) async throws {
        let server = RedisServer(password: password)
        try server.start()
        defer { server.stop() }
        let pool = RedisConnectionPool(
            host: "127.0.0.1", port: server.port, credentials: RedisCredentials(user: nil, password: password, variable: "-"))
        defer { pool.close() }
        try await body(server, pool)
    }

    @Test func aManifestWithPasswordEnvRunsAgainstAProtectedServer() async throws {
        try await Self.withProtectedServer { server, pool in
            let variable = "SLUICE_TEST_REDIS_PASSWORD_\(getpid())"
            setenv(variable, Self.password, 1)
            defer { unsetenv(variable) }
            try produce(pool, stream: "secure", partitions: 2, count: 100)
            let plan = try ManifestCompiler.compile(try ManifestReader().read(text: """
                name: protected
                source: redis://\(server.address)/secure?partitions=2&idle-exit-ms=300&lease-ms=1000&password-env=\(variable)
                stages:
                  - name: by-key
                    key: .key
                sink: redis://\(server.address)/secure-out?partitions=2&password-env=\(variable)&user=default
                engine: concurrent
                """, file: "protected.yaml"))
            let summary = try await ManifestRunner(plan: plan).run()
            #expect(summary.documentsWritten == 100)
            let (documents, sources) = try readAll(pool, stream: "secure-out", partitions: 2)
            #expect(Set(sources).count == 100)
            #expect(Set(numbers(documents)) == Set(0..<100))
        }
    }

    @Test func aWrongPasswordOrNoneIsAnAuthenticationErrorThatDoesNotShowThePassword() async throws {
        try await Self.withProtectedServer { server, _ in
            let wrong = RedisConnectionPool(host: "127.0.0.1", port: server.port,
                credentials: RedisCredentials(user: nil, password: "not-\(Self.password)", variable: "WRONG_ONE"))
            defer { wrong.close() }
            let refused = #expect(throws: RedisError.self) { try wrong.sendWaiting([RESPCommand("PING")]) }
            #expect(refused?.code == .authenticationFailed)
            #expect(refused?.description.contains("$WRONG_ONE") == true)
            #expect(refused?.description.contains(Self.password) == false)

            let none = RedisConnectionPool(host: "127.0.0.1", port: server.port)
            defer { none.close() }
            let missing = #expect(throws: RedisError.self) { try none.sendWaiting([RESPCommand("PING")]) }
            #expect(missing?.code == .authenticationFailed)
            #expect(missing?.description.contains("password-env") == true)
        }
    }

    @Test func passwordEnvMustNameASetVariableAndUserNeedsIt() throws {
        func endpoint(_ query: String) throws -> ConnectorEndpoint {
            try ConnectorRegistry.standard.resolve("redis://127.0.0.1:6379/s?\(query)", as: .sink).1
        }
        let unset = #expect(throws: ConnectorError.self) {
            try RedisStreamConfiguration.credentials(endpoint("password-env=NOT_SET_HERE"), environment: [:])
        }
        #expect(unset?.field == "password-env")
        #expect(unset?.message.contains("NOT_SET_HERE") == true)
        let userAlone = #expect(throws: ConnectorError.self) {
            try RedisStreamConfiguration.credentials(endpoint("user=app"), environment: [:])
        }
        #expect(userAlone?.field == "user")
        let credentials = try RedisStreamConfiguration.credentials(
            endpoint("password-env=PW&user=app"), environment: ["PW": "x"])
        #expect(credentials == RedisCredentials(user: "app", password: "x", variable: "PW"))
        #expect(credentials?.description == "user app, password from $PW")
        // What error messages print of the command shows neither the user nor the password.
        #expect(credentials?.command.description == "AUTH")
        #expect(RedisCredentials(user: nil, password: "pw", variable: "V").command.description == "AUTH")
        #expect(try RedisStreamConfiguration.credentials(endpoint("partitions=2"), environment: [:]) == nil)
    }
}
