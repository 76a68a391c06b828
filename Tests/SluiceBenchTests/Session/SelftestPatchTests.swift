import Foundation
import SluiceTestKit
import Testing

/// The mutation patches `sluice-bench selftest` applies (ci/selftest/*.patch) still apply to this tree and say what
/// they plant and where it must be caught. A patch that no longer applies would make the self-test fail to build
/// its mutant; one whose code path the benchmarks no longer take would be "not detected" for the wrong reason.
@Suite struct SelftestPatchTests {
    static let directory = SharedFixtures.packageRoot.appendingPathComponent("ci/selftest")

    static func patches() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "patch" }.sorted { $0.path < $1.path }
    }

    @Test func everyPatchHasItsHeadersAndAppliesToThisTree() throws {
        let patches = try Self.patches()
        #expect(patches.count >= 4, "ci/selftest holds \(patches.map(\.lastPathComponent))")
        // `patch` from PATH, as the self-test runs it; ci/test installs it (ci/lib/patch.sh).
        for patch in patches {
            let text = try String(contentsOf: patch, encoding: .utf8)
            #expect(text.hasPrefix("Sluice-Selftest: "), "\(patch.lastPathComponent): no Sluice-Selftest: header")
            #expect(text.contains("\nSluice-Selftest-Expect: "), "\(patch.lastPathComponent): no expectation")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["patch", "-p1", "--dry-run", "--silent", "--fuzz=0", "-d", SharedFixtures.packageRoot.path, "-i", patch.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let message = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(patch.lastPathComponent) does not apply: \(message)")
        }
    }
}
