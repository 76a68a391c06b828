import Foundation

/// Builds the self-test's executables: the unmutated tree of HEAD and one build per mutation patch.
///
/// HEAD's tree is exported once into `<cache>/selftest-<tree>/src` (never the work tree itself). Each patch is
/// applied there (`patch -p1`), built incrementally, its binary copied to `bin/<patch>-<content-hash>`, and the
/// patch reversed, so one tree serves every mutation and only what a patch touches is rebuilt. Binaries are
/// reused while the tree and the patch's content are unchanged.
struct SelftestBuilder {
    var layout: HarnessLayout
    var request: SelftestSession.Request
    var log: @Sendable (String) -> Void

    struct Builds {
        var base: URL
        var mutants: [URL]
    }

    func build(patches: [URL]) throws(HarnessError) -> Builds {
        if patches.isEmpty, let prebuilt = request.baseExecutable {
            return Builds(base: prebuilt, mutants: [])
        }
        let repository = GitRepository(directory: layout.root)
        guard let head = repository.commit("HEAD"), let tree = repository.tree(head) else {
            throw HarnessError(code: .missingBase, message: "the self-test needs a git work tree with a HEAD commit",
                               file: layout.root.path)
        }
        let folder = layout.buildCacheDirectory.appendingPathComponent("selftest-\(tree)")
        let source = folder.appendingPathComponent("src")
        let bin = folder.appendingPathComponent("bin")
        do {
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: source.path) {
                log("selftest: exporting \(head.prefix(12)) into \(source.path)")
                let staging = folder.appendingPathComponent("src.partial")
                try? FileManager.default.removeItem(at: staging)
                try repository.export(head, to: staging)
                try FileManager.default.moveItem(at: staging, to: source)
            }
        } catch let error as HarnessError {
            throw HarnessError(code: .checkoutFailed, message: error.message, file: folder.path, cause: error)
        } catch {
            throw HarnessError(code: .io, message: "cannot prepare the self-test tree", file: folder.path,
                               cause: error)
        }
        let base: URL
        if let prebuilt = request.baseExecutable {
            base = prebuilt
        } else {
            base = bin.appendingPathComponent("base")
            if !FileManager.default.isExecutableFile(atPath: base.path) {
                log("selftest: building the unmutated tree (release)")
                try compile(in: source, into: base, what: "the unmutated tree")
            }
        }
        var mutants: [URL] = []
        for patch in patches {
            guard let content = FileManager.default.contents(atPath: patch.path) else {
                throw HarnessError(code: .io, message: "cannot read the patch", file: patch.path)
            }
            let binary = bin.appendingPathComponent(
                "\(patch.deletingPathExtension().lastPathComponent)-\(Self.hash(content))")
            if !FileManager.default.isExecutableFile(atPath: binary.path) {
                log("selftest: building \(patch.lastPathComponent)")
                try apply(patch, in: source, reverse: false)
                do {
                    try compile(in: source, into: binary, what: patch.lastPathComponent)
                } catch {
                    try? apply(patch, in: source, reverse: true)
                    throw error
                }
                try apply(patch, in: source, reverse: true)
            }
            mutants.append(binary)
        }
        return Builds(base: base, mutants: mutants)
    }

    private func apply(_ patch: URL, in source: URL, reverse: Bool) throws(HarnessError) {
        let arguments = ["patch", "-p1", "--batch", "--forward", "--fuzz=0"] + (reverse ? ["--reverse"] : []) + ["-i", patch.path]
        guard let outcome = try? ProcessRunner.run(arguments, in: source), outcome.status == 0 else {
            throw HarnessError(
                code: .invalidArgument,
                message: "the patch does not \(reverse ? "reverse" : "apply") cleanly on HEAD's tree",
                file: patch.path)
        }
    }

    private func compile(in source: URL, into binary: URL, what: String) throws(HarnessError) {
        let outcome: ProcessRunner.Outcome
        do {
            outcome = try ProcessRunner.run(["sh", "-c", request.buildCommand], in: source)
        } catch {
            throw HarnessError(code: .buildFailed, message: "cannot run the build of \(what)", cause: error)
        }
        let built = source.appendingPathComponent(request.workerPath)
        guard outcome.status == 0, FileManager.default.isExecutableFile(atPath: built.path) else {
            let tail = String(decoding: outcome.stdout + outcome.stderr, as: UTF8.self).split(separator: "\n")
                .suffix(15).joined(separator: "\n")
            throw HarnessError(code: .buildFailed, message: "building \(what) failed (exit \(outcome.status))\n\(tail)")
        }
        try? FileManager.default.removeItem(at: binary)
        do {
            try FileManager.default.copyItem(at: built, to: binary)
        } catch {
            throw HarnessError(code: .io, message: "cannot keep the build of \(what)", file: binary.path,
                               cause: error)
        }
    }

    /// FNV-1a of `data`, 16 hex digits: names a patch's build by its content.
    static func hash(_ data: Data) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
        return String(value, radix: 16)
    }
}
