import Foundation
@testable import SluiceBench
import Testing

/// Renders the trend page in Debian's headless Chromium (when installed) and checks the live DOM.
@Suite struct TrendBrowserTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    private func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        // `timeout` bounds a hung browser; it is not a timing assertion.
        let outcome = try ProcessRunner.run(["timeout", "120"] + arguments)
        return (outcome.status, outcome.stdoutText, outcome.stderrText)
    }

    @Test func chromiumRendersTheChartsAndTheChangeList() throws {
        guard let chromium = Self.chromium else {
            print("TrendBrowserTests: skipped: chromium is not installed (apt-get install -y chromium)")
            return
        }
        let directory = try SyntheticResults.temporaryDirectory("trend-browser")
        // SLUICE_KEEP_TREND_PAGE=1 keeps the page and its screenshot to look at.
        let keep = ProcessInfo.processInfo.environment["SLUICE_KEEP_TREND_PAGE"] == "1"
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }
        try TrendPublisher().write(SyntheticHistory.report(), to: directory)
        let page = directory.appendingPathComponent("index.html")
        let common = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--user-data-dir=\(directory.appendingPathComponent("profile").path)",
        ]
        let dump = try run(common + ["--dump-dom", page.absoluteString])
        #expect(dump.status == 0, "chromium failed: \(dump.stderr)")
        let dom = dump.stdout
        #expect(dom.components(separatedBy: "<svg").count - 1 == 4, "charts in the DOM")
        #expect(dom.contains("<li class=\"regression\">"), "the change list has a regression entry")
        #expect(dom.contains("class=\"change improvement\""), "a chart marks the improvement")
        #expect(dom.contains("macro/pipeline &lt;&amp;\"quoted'&gt;"), "escaped text survives as text")
        let screenshot = directory.appendingPathComponent("trend.png")
        let shot = try run(common + ["--screenshot=\(screenshot.path)", "--window-size=1280,2000", page.absoluteString])
        #expect(shot.status == 0, "chromium screenshot failed: \(shot.stderr)")
        let size = (try? FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int) ?? 0
        #expect(size > 10_000, "screenshot \(screenshot.path) is \(size) bytes")
        if keep { print("TrendBrowserTests: page \(page.path), screenshot \(screenshot.path)") }
    }
}
