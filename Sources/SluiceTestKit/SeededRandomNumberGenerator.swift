/// A fast, seedable random number generator (xoshiro256**), so that every random test can be replayed.
///
/// Tests print the seed when they fail; `SLUICE_SEED=<n>` in the environment replays one
/// (see `SeededRandomNumberGenerator.fromEnvironment(default:)`).
public struct SeededRandomNumberGenerator: RandomNumberGenerator, Sendable {
    /// The seed this generator started from; print it on failure.
    public let seed: UInt64
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose whole sequence is fixed by `seed`.
    public init(seed: UInt64) {
        self.seed = seed
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    /// A generator seeded from `SLUICE_SEED` when it is set, else from `defaultSeed`.
    public static func fromEnvironment(default defaultSeed: UInt64) -> SeededRandomNumberGenerator {
        if let text = getenvString("SLUICE_SEED"), let seed = UInt64(text) {
            return SeededRandomNumberGenerator(seed: seed)
        }
        return SeededRandomNumberGenerator(seed: defaultSeed)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func getenvString(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}
