#if canImport(Glibc)
import Glibc
#endif
import SluiceState

/// A fresh folder under `/tmp`, removed (with everything in it) when `remove()` is called.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/sluice-state-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }  // template is non-empty
        precondition(made != nil, "mkdtemp failed: \(errno)")
        path = String(cString: template)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() {
        removeTree(path)
    }

    private func removeTree(_ path: String) {
        let fileSystem = PosixFileSystem()
        if fileSystem.directoryExists(at: path) {
            for name in (try? fileSystem.contentsOfDirectory(at: path)) ?? [] { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
