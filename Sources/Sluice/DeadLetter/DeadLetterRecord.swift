/// One element that a stage failed on, routed to the dead-letter sink instead of stopping the pipeline.
public struct DeadLetterRecord: Sendable, CustomStringConvertible {
    /// The element the stage received (for an error raised while finishing, the stage's name in angle brackets).
    public var element: any Sendable
    /// The error the stage threw.
    public var error: any Error
    /// The error's stable code: `StageErrorCoding.errorCode` when the error provides one, else its type name.
    public var errorCode: String
    /// The name of the stage that threw.
    public var stageName: String
    /// A stable 64-bit FNV-1a hash of the element's description (or bytes), equal for equal poison elements
    /// across runs and processes, so that quarantined elements can be grouped and deduplicated.
    public var fingerprint: UInt64

    /// Creates a record.
    public init(element: any Sendable, error: any Error, errorCode: String, stageName: String, fingerprint: UInt64) {
        self.element = element
        self.error = error
        self.errorCode = errorCode
        self.stageName = stageName
        self.fingerprint = fingerprint
    }

    /// `dead letter from <stage> [<errorCode>] fingerprint <hex>: <error>`; the element itself is left out.
    public var description: String {
        "dead letter from \(stageName) [\(errorCode)] fingerprint \(String(fingerprint, radix: 16)): \(error)"
    }
}

/// An error type that gives the dead-letter summary a stable code (rather than its type name).
public protocol StageErrorCoding: Error {
    /// A short, stable, greppable code such as `invalid number` (a JSON parse error's code).
    var errorCode: String { get }
}

extension JSONParseError: StageErrorCoding {
    /// The parse error's code, for example `invalid number`.
    public var errorCode: String { code.description }
}

/// How the dead-letter fingerprint is computed: FNV-1a over bytes.
public enum DeadLetterFingerprint {
    /// The fingerprint of `element`: FNV-1a 64 of its bytes when it is `[UInt8]`, else of its description.
    /// O(n) in the size of the description.
    public static func of(_ element: Any) -> UInt64 {
        if let bytes = element as? [UInt8] { return fnv1a(bytes) }
        return fnv1a(String(describing: element).utf8)
    }

    /// FNV-1a 64 over a byte sequence. O(n).
    public static func fnv1a<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
