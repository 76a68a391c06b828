// libFuzzer entry for JSONTokenReader. Built by `ci/fuzz` together with Sources/SluiceJSON/*.swift
// into one module (this folder is outside Sources, so SwiftPM does not build it).
//
// The first input byte picks the chunking, the token buffer size and single/multi-document mode; the
// rest is the JSON input. A crash, a sanitizer report, or a trap below is a finding:
// - chunked reading must give the same tokens and the same error as whole-buffer reading, and the SIMD scan
//   path and the indexed path the same as the scalar one (whole: scalar; chunked: SIMD; SIMD whole; indexed whole
//   and chunked);
// - the materializer must accept exactly what the reader accepts;
// - accepted token streams must be well formed (balanced, keys only in objects, one value per document).

struct FuzzRun: Equatable {
    var tokens: [JSONToken] = []
    var texts: [String] = []
    var error: JSONParseError?
}

func fuzzRead(
    _ input: UnsafeRawBufferPointer, chunk: Int, bufferSize: Int, multiple: Bool, scanPath: JSONScanPath
) -> FuzzRun {
    var reader = JSONTokenReader(
        limits: JSONLimits(maxDepth: 64, maxTokenLength: 1024, maxDocumentSize: 3000), allowsMultipleDocuments: multiple,
        scanPath: scanPath)
    var run = FuzzRun()
    let buffer = UnsafeMutableBufferPointer<JSONToken>.allocate(capacity: bufferSize)
    defer { buffer.deallocate() }
    func drain() throws(JSONParseError) {
        while true {
            let count = try reader.read(into: buffer)
            if count == 0 { return }
            for token in buffer[..<count] {
                run.tokens.append(token)
                switch token {
                case .key(let span), .string(let span):
                    run.texts.append(reader.string(for: span))
                case .number(let span):
                    let text = reader.numberText(for: span)
                    if let integer = reader.int64(for: span), String(integer) != text, text != "-0" {
                        fatalError("int64 \(integer) disagrees with text \(text)")
                    }
                    run.texts.append("\(text)=\(reader.double(for: span))")
                default:
                    break
                }
            }
        }
    }
    do throws(JSONParseError) {
        var start = 0
        while start < input.count {
            let end = min(start + chunk, input.count)
            reader.feed(UnsafeRawBufferPointer(rebasing: input[start..<end]))
            start = end
            try drain()
        }
        try reader.finalize()
        try drain()
    } catch {
        run.error = error
    }
    return run
}

func wellFormed(_ tokens: [JSONToken]) -> Bool {
    var stack: [Bool] = []
    var awaitingValue = false
    var values = 0
    for token in tokens {
        switch token {
        case .key:
            guard stack.last == true, !awaitingValue else { return false }
            awaitingValue = true
            continue
        case .endObject, .endArray:
            guard let top = stack.popLast(), top == (token == .endObject), !awaitingValue else { return false }
            if stack.isEmpty { values += 1 }
            continue
        case .endOfDocument:
            guard stack.isEmpty, values == 1 else { return false }
            values = 0
            continue
        default:
            break
        }
        if stack.last == true && !awaitingValue { return false }
        awaitingValue = false
        switch token {
        case .beginObject: stack.append(true)
        case .beginArray: stack.append(false)
        default: if stack.isEmpty { values += 1 }
        }
    }
    return stack.isEmpty && values == 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func tokenReaderFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let control = data[0]
    let input = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let multiple = control & 0x80 != 0
    let chunk = Int(control & 0x0F) + 1
    let bufferSize = Int((control >> 4) & 0x07) + 2
    let whole = fuzzRead(input, chunk: max(input.count, 1), bufferSize: 256, multiple: multiple, scanPath: .scalar)
    let chunked = fuzzRead(input, chunk: chunk, bufferSize: bufferSize, multiple: multiple, scanPath: .simd)
    let wholeSIMD = fuzzRead(input, chunk: max(input.count, 1), bufferSize: 256, multiple: multiple, scanPath: .simd)
    if whole != wholeSIMD {
        fatalError("the SIMD path disagrees: \(String(describing: whole.error)) vs \(String(describing: wholeSIMD.error))")
    }
    let wholeIndexed = fuzzRead(input, chunk: max(input.count, 1), bufferSize: 256, multiple: multiple, scanPath: .indexed)
    let chunkedIndexed = fuzzRead(input, chunk: chunk, bufferSize: bufferSize, multiple: multiple, scanPath: .indexed)
    if whole != wholeIndexed || whole != chunkedIndexed {
        fatalError("the indexed path disagrees: \(String(describing: whole.error)) vs \(String(describing: wholeIndexed.error))")
    }
    if whole != chunked {
        fatalError("chunk size \(chunk) changed the outcome: \(String(describing: whole.error)) vs \(String(describing: chunked.error))")
    }
    if whole.error == nil && !wellFormed(whole.tokens) { fatalError("malformed token stream accepted") }
    if !multiple {
        let limits = JSONLimits(maxDepth: 64, maxTokenLength: 1024, maxDocumentSize: 3000)
        let parsed = Result { () throws(JSONParseError) -> JSONValue in try JSONDocumentParser.parse(input, limits: limits) }
        switch (parsed, whole.error) {
        case (.success, nil): break
        case (.failure(let error), .some(let expected)) where error == expected: break
        default: fatalError("materializer and reader disagree: \(parsed) vs \(String(describing: whole.error))")
        }
    }
    return 0
}
