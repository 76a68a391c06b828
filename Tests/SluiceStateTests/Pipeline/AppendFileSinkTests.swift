import SluiceState
import SluiceTestKit
import Testing

@Suite struct AppendFileSinkTests {
    @Test(arguments: [0, 1, 70_000])
    func recoveryCutsOnlyATornLastLine(_ lineLength: Int) throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("out.ndjson")
        let complete = Array(String(repeating: "a", count: lineLength).utf8) + [10] + Array("second\n".utf8)
        let torn = Array(String(repeating: "b", count: lineLength + 5).utf8)
        try PosixFileSystem().writeFile(at: path, bytes: complete + torn, sync: false)
        let sink = AppendFileSink(path: path)
        let notes = try sink.recover(restoredCheckpointID: 1, nextCheckpointID: 2)
        #expect(notes.count == 1 && notes[0].contains("\(torn.count) bytes"))
        try Array("third".utf8).withUnsafeBytes { try sink.write($0) }
        try sink.finish()
        #expect(try PosixFileSystem().readFile(at: path) == complete + Array("third\n".utf8))
    }

    @Test func aCompleteFileIsLeftAlone() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("out.ndjson")
        try PosixFileSystem().writeFile(at: path, bytes: Array("one\ntwo\n".utf8), sync: false)
        #expect(try AppendFileSink(path: path).recover(restoredCheckpointID: nil, nextCheckpointID: 1).isEmpty)
        #expect(try PosixFileSystem().readFile(at: path) == Array("one\ntwo\n".utf8))
    }
}
