import Foundation

/// Draws one series as an inline SVG chart: the p50 as a line, the p99 as a band above it, and each step as a
/// dashed vertical line in red (regression) or green (improvement) with its change in percent. The latest run,
/// the first run of each step and runs of a dirty work tree are dots with a tooltip (no script needed).
///
/// Lean on purpose, so that a page of 100 runs × every benchmark stays under 1 MB: the lines are drawn in a
/// nested SVG whose x unit is one run and whose y unit is 1/400 of the plot (finer than a pixel), as relative
/// path steps (`l1-3 1 4 …`, about 5 bytes a run), and the commit axis has at most 5 labels.
package struct TrendChart: Sendable {
    package var width = 760.0
    package var height = 230.0
    private let minimumLeft = 60.0
    private let right = 16.0
    private let top = 22.0
    private let bottom = 40.0

    package init() {}

    /// The SVG element for `series`. `id` must be unique in the page and safe in an attribute.
    /// Complexity: O(points).
    package func svg(for series: TrendSeries, id: String) -> String {
        let points = series.points
        let axis = Self.axis(for: points.flatMap { [$0.p50, $0.p99] }, unit: series.unit)
        let longestLabel = axis.labels.map(\.count).max() ?? 0
        let left = Swift.max(minimumLeft, Double(longestLabel) * 6.4 + 14)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let last = Swift.max(1, points.count - 1)
        func x(_ index: Int) -> Double {
            points.count <= 1 ? left + plotWidth / 2 : left + Double(index) * plotWidth / Double(last)
        }
        /// 0 at the top of the plot, 1 at the bottom.
        func position(_ value: Double) -> Double {
            axis.isLogarithmic
                ? (log10(axis.high) - log10(Swift.max(value, axis.low))) / (log10(axis.high) - log10(axis.low))
                : (axis.high - value) / (axis.high - axis.low)
        }
        func y(_ value: Double) -> Double { top + position(value) * plotHeight }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        let title = "\(series.benchmark) \(series.metric): p50 with p99 band over \(points.count) runs"
            + (axis.isLogarithmic ? " (logarithmic scale)" : "")
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" id="\(id)" role="img" \
            aria-labelledby="\(id)-t" viewBox="0 0 \(Int(width)) \(Int(height))">\
            <title id="\(id)-t">\(HTMLEscaping.escape(title))</title>
            <rect class="plot" x="\(f(left))" y="\(f(top))" width="\(f(plotWidth))" height="\(f(plotHeight))"/>

            """
        let grid = axis.ticks.map { "M\(f(left)) \(f(y($0)))h\(f(plotWidth))" }.joined()
        svg += "<path class=\"grid\" d=\"\(grid)\"/>\n"
        for (tick, text) in zip(axis.ticks, axis.labels) {
            svg += "<text class=\"tick\" x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\">\(HTMLEscaping.escape(text))</text>\n"
        }
        if points.count > 1 {
            let p50 = points.map { Int((position($0.p50) * 400).rounded()) }
            let p99 = points.map { Int((position($0.p99) * 400).rounded()) }
            let band = "M0 \(p99[0])" + Self.steps(p99, stride: 1) + "L\(last) \(p50[last])"
                + Self.steps(p50.reversed(), stride: -1) + "Z"
            svg += """
                <svg x="\(f(left))" y="\(f(top))" width="\(f(plotWidth))" height="\(f(plotHeight))" \
                viewBox="0 0 \(last) 400" preserveAspectRatio="none">\
                <path class="band" d="\(band)"/><path class="p50" d="M0 \(p50[0])\(Self.steps(p50, stride: 1))"/></svg>

                """
        }
        for point in series.changePoints where point.index > 0 && point.index < points.count {
            let at = (x(point.index - 1) + x(point.index)) / 2
            let change = point.ratio.map { ValueFormatter.percent($0 - 1) } ?? "step"
            let label = "\(point.kind.rawValue) \(change) at \(points[point.index].shortCommit)"
            svg += """
                <g class="change \(point.kind.rawValue)"><title>\(HTMLEscaping.escape(label))</title>\
                <path d="M\(f(at)) \(f(top))V\(f(top + plotHeight))"/>\
                <text x="\(f(at + 4))" y="\(f(top + 12))">\(HTMLEscaping.escape(change))</text></g>

                """
        }
        let stepIndices = Dictionary(series.changePoints.map { ($0.index, $0.kind) }) { first, _ in first }
        for (index, point) in points.enumerated()
        where index == points.count - 1 || stepIndices[index] != nil || point.isDirty {
            let kind = (stepIndices[index].map { " \($0.rawValue)" } ?? "") + (point.isDirty ? " dirty" : "")
            let tooltip = "\(point.shortCommit)\(point.isDirty ? " (dirty)" : "") · \(TrendDates.day(point.date)) · "
                + "p50 \(ValueFormatter.format(point.p50, unit: series.unit)) · "
                + "p99 \(ValueFormatter.format(point.p99, unit: series.unit)) · run \(point.runID)"
            svg += """
                <circle class="point\(kind)" cx="\(f(x(index)))" cy="\(f(y(point.p50)))" r="3">\
                <title>\(HTMLEscaping.escape(tooltip))</title></circle>

                """
        }
        let labelStride = Swift.max(1, Int((Double(points.count) / 5).rounded(.up)))
        for (index, point) in points.enumerated() {
            let isLast = index == points.count - 1
            guard isLast || (index % labelStride == 0 && points.count - 1 - index >= Swift.max(1, labelStride / 2 + 1))
            else { continue }
            let anchor = points.count == 1 ? "middle" : index == 0 ? "start" : isLast ? "end" : "middle"
            svg += """
                <text class="commit" x="\(f(x(index)))" y="\(f(top + plotHeight + 16))" \
                text-anchor="\(anchor)">\(HTMLEscaping.escape(point.shortCommit))</text>

                """
        }
        svg += """
            <text class="axis" x="\(f(left + plotWidth / 2))" y="\(f(height - 6))">\
            commits, oldest to newest\(axis.isLogarithmic ? " · logarithmic scale (p99 far from p50)" : "")</text>
            </svg>
            """
        return svg
    }

    /// Relative path steps of `stride` in x between consecutive `values`: `l1-3 1 4 1 0`.
    static func steps(_ values: some Collection<Int>, stride: Int) -> String {
        var text = ""
        var previous = values.first ?? 0
        for value in values.dropFirst() {
            let delta = value - previous
            text += (text.isEmpty ? "l" : " ") + "\(stride)" + (delta < 0 ? "\(delta)" : " \(delta)")
            previous = value
        }
        return text
    }

    /// The y axis: its range, ticks and labels.
    struct Axis {
        var low: Double
        var high: Double
        var isLogarithmic: Bool
        var ticks: [Double]
        var labels: [String]
    }

    /// A linear axis over `values`, or a logarithmic one when they are positive and span more than 20×
    /// (a p99 far above the p50 would otherwise flatten the p50 line). Never below zero for non-negative data.
    static func axis(for values: [Double], unit: String) -> Axis {
        var low = values.min() ?? 0
        var high = values.max() ?? 1
        if low > 0 && high / low > 20 {
            let ticks = logarithmicTicks(low: low, high: high)
            low = Swift.min(low, ticks.first ?? low)
            high = Swift.max(high, ticks.last ?? high)
            return Axis(
                low: low, high: high, isLogarithmic: true, ticks: ticks,
                labels: ticks.map { ValueFormatter.format($0, unit: unit) })
        }
        if high - low < Swift.max(abs(high), 1e-12) * 1e-6 {
            let pad = Swift.max(abs(high) * 0.1, 1)
            low = low >= 0 ? Swift.max(0, low - pad) : low - pad
            high += pad
        } else if high - low < Swift.max(abs(high), abs(low)) * 0.04 {
            // Show at least ±2 % around the data, so that a 0.02 % wobble does not look like a cliff.
            let middle = (high + low) / 2
            let pad = Swift.max(abs(high), abs(low)) * 0.02
            let floor = (values.min() ?? 0) >= 0 ? 0.0 : -Double.infinity
            low = Swift.max(floor, Swift.min(low, middle - pad))
            high = Swift.max(high, middle + pad)
        }
        // Ticks are round numbers in the unit the axis is labelled in (KiB, ms, ...), not in the stored unit.
        let scale = ValueFormatter.scale(unit: unit, magnitude: Swift.max(abs(low), abs(high)))
        var ticks = Self.ticks(low: low / scale.divisor, high: high / scale.divisor, count: 4).map { $0 * scale.divisor }
        if (values.min() ?? 0) >= 0 { ticks = ticks.filter { $0 >= 0 } }
        low = Swift.min(low, ticks.first ?? low)
        high = Swift.max(high, ticks.last ?? high)
        var labels = ticks.map { ValueFormatter.format($0, scale: scale) }
        // Three significant digits can print two ticks alike (50.1 k, 50.1 k): add decimals until they differ.
        var decimals = 1
        while Set(labels).count < labels.count && decimals <= 6 {
            labels = ticks.map { String(format: "%.\(decimals)f", $0 / scale.divisor) + " " + scale.suffix }
            decimals += 1
        }
        return Axis(low: low, high: high, isLogarithmic: false, ticks: ticks, labels: labels)
    }

    /// Powers of ten covering `low...high` (with 2× and 5× steps when fewer than three decades).
    static func logarithmicTicks(low: Double, high: Double) -> [Double] {
        let first = floor(log10(low))
        let last = ceil(log10(high))
        var ticks: [Double] = []
        let multipliers: [Double] = last - first < 3 ? [1, 2, 5] : [1]
        var exponent = first
        while exponent <= last {
            for multiplier in multipliers {
                let tick = multiplier * pow(10, exponent)
                if tick >= low / 10 && tick <= high * 10 { ticks.append(tick) }
            }
            exponent += 1
        }
        // Keep the ticks just around the data.
        let below = ticks.last { $0 <= low } ?? ticks.first ?? low
        let above = ticks.first { $0 >= high } ?? ticks.last ?? high
        return ticks.filter { $0 >= below && $0 <= above }
    }

    /// Evenly spaced round values covering `low...high`: steps of 1, 2 or 5 times a power of ten.
    static func ticks(low: Double, high: Double, count: Int) -> [Double] {
        guard high > low, low.isFinite, high.isFinite else { return [low] }
        let rough = (high - low) / Double(count)
        let power = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        var tick = floor(low / step) * step
        var ticks: [Double] = []
        while tick <= high + step * 0.5 && ticks.count < 12 {
            ticks.append(tick)
            tick += step
        }
        return ticks
    }
}
