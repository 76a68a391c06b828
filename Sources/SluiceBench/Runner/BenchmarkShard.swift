/// One of N deterministic parts of a suite, for `run --shard K/N` across machines.
///
/// The split is sorted round-robin: the suite's selected benchmark names are sorted, and the name at
/// position `i` (from 0) belongs to shard `i % N + 1`. Every shard of the same suite and filter therefore
/// gets a disjoint part, the parts cover the suite, and sizes differ by at most one. `merge` relies on this.
public struct BenchmarkShard: Hashable, Sendable, CustomStringConvertible {
    /// This shard's number, 1-based.
    public let index: Int
    /// How many shards there are.
    public let count: Int

    /// Creates shard `index` of `count`. Precondition: `1 ≤ index ≤ count`.
    public init(index: Int, count: Int) {
        precondition(count >= 1 && (1...count).contains(index), "shard \(index)/\(count) is out of range")
        self.index = index
        self.count = count
    }

    /// Parses `K/N`; throws an `invalidArgument` error saying how to fix it.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1,
            (1...count).contains(index)
        else {
            throw HarnessError(
                code: .invalidArgument,
                message: "--shard expects K/N with 1 ≤ K ≤ N, e.g. 1/3; found \"\(text)\"", field: "--shard")
        }
        self.init(index: index, count: count)
    }

    /// `K/N`.
    public var description: String { "\(index)/\(count)" }

    /// The names of `names` that belong to this shard, in sorted order. Complexity: O(n log n).
    public func select(_ names: [String]) -> [String] {
        names.sorted().enumerated().filter { $0.offset % count == index - 1 }.map(\.element)
    }

    /// The shard (1-based) that `name` belongs to among `names`, or nil when it is not among them.
    public static func shardIndex(of name: String, among names: [String], count: Int) -> Int? {
        names.sorted().firstIndex(of: name).map { $0 % count + 1 }
    }
}
