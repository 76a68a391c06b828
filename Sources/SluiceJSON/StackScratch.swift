/// Sizes for `withUnsafeTemporaryAllocation` scratch space that really stays on the stack.
///
/// The standard library places a temporary allocation of up to 1 024 bytes on the stack and heap-allocates
/// anything larger, on every call (measured on Linux with Swift 6.3: 1 024 bytes, no allocation; 1 025 bytes, one
/// malloc and one free per call, on the main thread and on others). Per-document scratch sized past that cost two
/// allocations per document in the `.values()` stage.
enum StackScratch {
    /// The largest byte count that stays on the stack.
    static let byteLimit = 1_024

    /// The most elements of `type` that fit in `byteLimit` bytes (at least 1).
    @inline(__always)
    static func capacity<Element>(of type: Element.Type) -> Int {
        max(1, byteLimit / max(1, MemoryLayout<Element>.stride))
    }
}
