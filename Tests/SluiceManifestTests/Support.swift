import Foundation
import Sluice

/// A byte source over a fixed string, for connector registration tests.
struct BufferByteSourceStandIn: PipelineSource {
    var bytes: [UInt8] = Array("{\"a\":1}\n".utf8)

    mutating func read(into buffer: inout [[UInt8]], maxCount: Int) throws -> Bool {
        if !bytes.isEmpty { buffer.append(bytes) }
        bytes = []
        return false
    }
}

/// Where jq is, if installed.
enum JQ {
    static let path: String? = ["/usr/bin/jq", "/usr/local/bin/jq", "/bin/jq"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs jq with `arguments` and returns its stdout.
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path ?? "/usr/bin/jq")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
