#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A group-sequential design for the gate's adaptive re-measurement: up to `looks` looks at the data, with
/// the error rate `alpha` spent across them by the Lan–DeMets Pocock-type spending function
/// `alpha(t) = alpha · ln(1 + (e − 1) · t)`, `t` the information fraction (processes so far / the cap).
///
/// Look `k` may reject at level `alpha(t_k) − alpha(t_{k−1})`. The levels of all looks sum to `alpha`, so by
/// the union bound the chance of a false alarm at *any* look is at most `alpha`, whatever the dependence
/// between looks and whichever results are re-measured (a conservative use of the spending function: it does
/// not spend the correlation between looks). Pocock-type spending puts more of `alpha` on the early looks than
/// O'Brien–Fleming-type spending, which suits a gate that stops early on most pull requests.
public struct AlphaSpending: Sendable, Hashable, Codable {
    /// The total one-sided error rate across all looks.
    public var alpha: Double
    /// The largest number of looks (1 = a fixed design).
    public var looks: Int

    /// Creates a design. Precondition: `0 < alpha < 1`, `looks >= 1`.
    public init(alpha: Double, looks: Int) {
        precondition(alpha > 0 && alpha < 1, "alpha must be in (0, 1)")
        precondition(looks >= 1, "at least one look")
        self.alpha = alpha
        self.looks = looks
    }

    /// The error spent by information fraction `t` (clamped to `0 ... 1`).
    public func spent(at t: Double) -> Double {
        let fraction = min(1, max(0, t))
        return alpha * log(1 + (exp(1) - 1) * fraction)
    }

    /// The level look `look` (1-based) may reject at, with equally spaced looks.
    public func level(atLook look: Int) -> Double {
        precondition(look >= 1 && look <= looks, "look \(look) is outside 1...\(looks)")
        return spent(at: Double(look) / Double(looks)) - spent(at: Double(look - 1) / Double(looks))
    }
}
