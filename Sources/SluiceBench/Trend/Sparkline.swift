/// A word-sized inline SVG line of a series' last runs, for the summary table.
package enum Sparkline {
    /// Runs a sparkline shows: the newest ones.
    package static let runs = 30

    /// The sparkline of the last `runs` values, scaled to their own range (a flat line when they are all equal),
    /// about 5 bytes a run. Complexity: O(values).
    package static func svg(_ values: [Double], label: String) -> String {
        let shown = Array(values.suffix(runs).filter(\.isFinite))
        guard let lowest = shown.min(), let highest = shown.max(), shown.count > 1 else {
            return "<svg class=\"spark\" viewBox=\"0 0 100 20\" role=\"img\" aria-label=\"\(HTMLEscaping.escape(label))\"/>"
        }
        let span = highest - lowest
        // y in 0...36 units, 2 units of margin, top = highest.
        let ys = shown.map { span > 0 ? 2 + Int(((highest - $0) / span * 36).rounded()) : 20 }
        let last = shown.count - 1
        let d = "M0 \(ys[0])" + TrendChart.steps(ys, stride: 1)
        return """
            <svg class="spark" viewBox="0 0 \(last) 40" preserveAspectRatio="none" role="img" \
            aria-label="\(HTMLEscaping.escape(label))"><path d="\(d)"/></svg>
            """
    }
}
