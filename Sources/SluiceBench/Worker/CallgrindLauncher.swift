import Foundation

/// How an instruction worker is started: `valgrind --tool=callgrind` with instrumentation and collection off
/// until the measured region turns them on (`CallgrindCapture`), its output in a private temporary folder.
///
/// valgrind runs a copy of the worker's executable without debug information (`objcopy --strip-debug`): the
/// Swift toolchain writes DWARF 5 forms that valgrind 3.19 (Debian 12) cannot read, and it gives up on the
/// whole binary. The code is byte-for-byte the same, so the counts are those of the build. The copy lives at a
/// path of fixed length (`/tmp/sluice-callgrind-XXXXXXXX/sluice-bench`), so the worker's argument and auxiliary
/// vectors have the same size in every run. Each launcher owns one folder; `removeOutput()` deletes it.
public struct CallgrindLauncher: Sendable {
    /// The valgrind executable.
    public let valgrind: String
    /// The executable valgrind runs: the stripped copy.
    public let worker: URL
    /// The Callgrind output file; dumps are `<outputFile>.<n>`.
    public let outputFile: String
    /// Whether the cache simulation runs (for `estimated_cycles`; about twice as slow).
    public let cacheSimulation: Bool

    /// Finds valgrind on `PATH` (else the usual places), makes the output folder and the stripped copy of
    /// `executable`. Throws a `HarnessError` saying how to install valgrind when it is not there.
    public init(
        executable: URL, cacheSimulation: Bool, searchPath: String? = ProcessInfo.processInfo.environment["PATH"]
    ) throws(HarnessError) {
        guard let valgrind = Self.find("valgrind", searchPath: searchPath) else {
            throw HarnessError(
                code: .worker, message: "valgrind is not installed, so instructions cannot be counted "
                    + "(apt-get install valgrind; ci/test installs it)")
        }
        let suffix = String(UInt32.random(in: 0x1000_0000...UInt32.max), radix: 16)
        let folder = URL(fileURLWithPath: "/tmp/sluice-callgrind-\(suffix)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw HarnessError(code: .io, message: "cannot create the Callgrind folder: \(error)", file: folder.path)
        }
        let worker = folder.appendingPathComponent("sluice-bench")
        guard Self.stripDebugInformation(executable, to: worker, searchPath: searchPath) else {
            try? FileManager.default.removeItem(at: folder)
            throw HarnessError(
                code: .worker, message: "cannot make a copy without debug information for valgrind "
                    + "(objcopy from binutils is needed)", file: executable.path)
        }
        self.valgrind = valgrind
        self.worker = worker
        self.outputFile = folder.appendingPathComponent("callgrind.out").path
        self.cacheSimulation = cacheSimulation
    }

    /// `objcopy --strip-debug executable destination` (or llvm-objcopy). True when the copy is there.
    static func stripDebugInformation(_ executable: URL, to destination: URL, searchPath: String?) -> Bool {
        guard let objcopy = find("objcopy", searchPath: searchPath) ?? find("llvm-objcopy", searchPath: searchPath)
        else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: objcopy)
        process.arguments = ["--strip-debug", executable.path, destination.path]
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0 && FileManager.default.isExecutableFile(atPath: destination.path)
    }

    /// The launcher's command line, to which the worker's executable and arguments are appended.
    public var arguments: [String] {
        [valgrind, "--tool=callgrind", "--quiet", "--instr-atstart=no", "--collect-atstart=no",
         "--cache-sim=\(cacheSimulation ? "yes" : "no")", "--dump-instr=no", "--dump-line=no",
         "--callgrind-out-file=\(outputFile)", "--log-file=\(outputFile).log"]
    }

    /// What the worker needs in its environment: where to read its counts back, and jemalloc's time-based purging
    /// turned off (`MALLOC_CONF`, added to the caller's own settings), since it makes the counts depend on the clock.
    public var environment: [String: String] {
        [
            CallgrindCapture.outputFileVariable: outputFile,
            "MALLOC_CONF": Self.mallocConfiguration(inherited: ProcessInfo.processInfo.environment["MALLOC_CONF"]),
        ]
    }

    /// jemalloc's options for a counted worker: dirty and muzzy pages are never purged on a timer. With the default
    /// decay (10 s), a purge falls in a counted round or not depending on how long the run took under valgrind, and
    /// `micro/materialize/twitter` took one of two counts 4.4 k instructions apart (0.029 %); with decay off, five runs
    /// with the other core busy gave the same count. The caller's own `MALLOC_CONF` comes first; a later option wins
    /// in jemalloc, so these two always hold. (Without jemalloc the variable is ignored.)
    public static func mallocConfiguration(inherited: String?) -> String {
        let noDecay = "dirty_decay_ms:-1,muzzy_decay_ms:-1"
        guard let inherited, !inherited.isEmpty else { return noDecay }
        return inherited + "," + noDecay
    }

    /// valgrind's own messages, for a worker that died.
    public var log: String? { try? String(contentsOfFile: outputFile + ".log", encoding: .utf8) }

    /// Deletes the output folder.
    public func removeOutput() {
        try? FileManager.default.removeItem(atPath: (outputFile as NSString).deletingLastPathComponent)
    }

    /// The first executable `name` on `searchPath` (no `PATH`: /usr/bin, then /usr/local/bin).
    static func find(_ name: String, searchPath: String?) -> String? {
        let folders = searchPath.map { $0.split(separator: ":").map(String.init) } ?? ["/usr/bin", "/usr/local/bin"]
        return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
