import CJemalloc
import Foundation
import SluiceTestKit

#if canImport(Glibc)
import Glibc
#endif

extension EnvironmentFingerprint {
    /// The version of the compiler that built this harness, known at compile time (no `swift` process spawned).
    static let compilerVersion: String = {
        #if compiler(>=6.9.5)
        "6.9.5"
        #elseif compiler(>=6.9.4)
        "6.9.4"
        #elseif compiler(>=6.9.3)
        "6.9.3"
        #elseif compiler(>=6.9.2)
        "6.9.2"
        #elseif compiler(>=6.9.1)
        "6.9.1"
        #elseif compiler(>=6.9.0)
        "6.9.0"
        #elseif compiler(>=6.8.5)
        "6.8.5"
        #elseif compiler(>=6.8.4)
        "6.8.4"
        #elseif compiler(>=6.8.3)
        "6.8.3"
        #elseif compiler(>=6.8.2)
        "6.8.2"
        #elseif compiler(>=6.8.1)
        "6.8.1"
        #elseif compiler(>=6.8.0)
        "6.8.0"
        #elseif compiler(>=6.7.5)
        "6.7.5"
        #elseif compiler(>=6.7.4)
        "6.7.4"
        #elseif compiler(>=6.7.3)
        "6.7.3"
        #elseif compiler(>=6.7.2)
        "6.7.2"
        #elseif compiler(>=6.7.1)
        "6.7.1"
        #elseif compiler(>=6.7.0)
        "6.7.0"
        #elseif compiler(>=6.6.5)
        "6.6.5"
        #elseif compiler(>=6.6.4)
        "6.6.4"
        #elseif compiler(>=6.6.3)
        "6.6.3"
        #elseif compiler(>=6.6.2)
        "6.6.2"
        #elseif compiler(>=6.6.1)
        "6.6.1"
        #elseif compiler(>=6.6.0)
        "6.6.0"
        #elseif compiler(>=6.5.5)
        "6.5.5"
        #elseif compiler(>=6.5.4)
        "6.5.4"
        #elseif compiler(>=6.5.3)
        "6.5.3"
        #elseif compiler(>=6.5.2)
        "6.5.2"
        #elseif compiler(>=6.5.1)
        "6.5.1"
        #elseif compiler(>=6.5.0)
        "6.5.0"
        #elseif compiler(>=6.4.5)
        "6.4.5"
        #elseif compiler(>=6.4.4)
        "6.4.4"
        #elseif compiler(>=6.4.3)
        "6.4.3"
        #elseif compiler(>=6.4.2)
        "6.4.2"
        #elseif compiler(>=6.4.1)
        "6.4.1"
        #elseif compiler(>=6.4.0)
        "6.4.0"
        #elseif compiler(>=6.3.5)
        "6.3.5"
        #elseif compiler(>=6.3.4)
        "6.3.4"
        #elseif compiler(>=6.3.3)
        "6.3.3"
        #elseif compiler(>=6.3.2)
        "6.3.2"
        #elseif compiler(>=6.3.1)
        "6.3.1"
        #elseif compiler(>=6.3.0)
        "6.3.0"
        #elseif compiler(>=6.2.5)
        "6.2.5"
        #elseif compiler(>=6.2.4)
        "6.2.4"
        #elseif compiler(>=6.2.3)
        "6.2.3"
        #elseif compiler(>=6.2.2)
        "6.2.2"
        #elseif compiler(>=6.2.1)
        "6.2.1"
        #elseif compiler(>=6.2.0)
        "6.2.0"
        #elseif compiler(>=6.1.5)
        "6.1.5"
        #elseif compiler(>=6.1.4)
        "6.1.4"
        #elseif compiler(>=6.1.3)
        "6.1.3"
        #elseif compiler(>=6.1.2)
        "6.1.2"
        #elseif compiler(>=6.1.1)
        "6.1.1"
        #elseif compiler(>=6.1.0)
        "6.1.0"
        #elseif compiler(>=6.0.5)
        "6.0.5"
        #elseif compiler(>=6.0.4)
        "6.0.4"
        #elseif compiler(>=6.0.3)
        "6.0.3"
        #elseif compiler(>=6.0.2)
        "6.0.2"
        #elseif compiler(>=6.0.1)
        "6.0.1"
        #elseif compiler(>=6.0.0)
        "6.0.0"
        #else
        "unknown"
        #endif
    }()

    /// The fingerprint of this process: toolchain (compile time), build configuration, git commit and dirtiness
    /// of `repository` (default: the package root; `SLUICE_COMMIT` overrides), CPU model, cores, kernel,
    /// allocator and harness version. Spawns `git` twice; O(1) otherwise.
    public static func current(repository: URL? = nil) -> EnvironmentFingerprint {
        let system = SystemFacts.read()
        let (commit, isDirty) = GitState.read(repository ?? SharedFixtures.packageRoot)
        let jemalloc = HarnessInfo.isJemallocAvailable
        #if DEBUG
        let configuration = "debug"
        #else
        let configuration = "release"
        #endif
        return EnvironmentFingerprint(
            toolchain: "Swift version \(compilerVersion)", buildConfiguration: configuration, commit: commit,
            isDirty: isDirty, cpuModel: system.cpuModel, coreCount: system.cores, kernel: system.kernel,
            allocator: jemalloc ? "jemalloc" : "system",
            allocatorVersion: jemalloc ? sluice_jemalloc_version().map { String(cString: $0) } : nil,
            harnessVersion: HarnessInfo.version, schemaVersion: ResultsFile.currentSchemaVersion,
            machineClass: "\(system.architecture)-\(system.cores)c-\(system.memoryGiB)g")
    }
}

/// Facts about the machine, from /proc and uname.
struct SystemFacts {
    var cpuModel: String
    var cores: Int
    var kernel: String
    var architecture: String
    var memoryGiB: Int

    static func read() -> SystemFacts {
        var cpuModel = "unknown"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let colon = line.firstIndex(of: ":")
        {
            cpuModel = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var names = utsname()
        uname(&names)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30)
        return SystemFacts(
            cpuModel: cpuModel, cores: ProcessInfo.processInfo.activeProcessorCount, kernel: field(names.release),
            architecture: field(names.machine), memoryGiB: Int(memory.rounded()))
    }
}

/// The git commit and dirtiness of a work tree.
enum GitState {
    static func read(_ directory: URL) -> (commit: String, isDirty: Bool) {
        let environment = ProcessInfo.processInfo.environment
        if let commit = environment["SLUICE_COMMIT"] {
            return (commit, environment["SLUICE_DIRTY"] == "1")
        }
        guard let commit = run(["rev-parse", "HEAD"], in: directory)?.trimmingCharacters(in: .whitespacesAndNewlines),
            !commit.isEmpty
        else { return ("unknown", false) }
        let status = run(["status", "--porcelain", "--untracked-files=no"], in: directory) ?? ""
        return (commit, !status.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }

    private static func run(_ arguments: [String], in directory: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
