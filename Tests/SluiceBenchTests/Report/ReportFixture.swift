import SluiceBench

/// A fixed synthetic comparison with one of each interesting outcome, for the report tests.
enum ReportFixture {
    typealias F = GateFixtures

    static let rules = """
        [{"benchmark": "*", "metric": "wall_time", "percentile": "p50", "relative": 0.10},
         {"benchmark": "*", "metric": "allocations", "percentile": "p50", "relative": 0.15, "absolute": 0}]
        """

    static let baseline = F.results(runID: "base-run", [
        F.benchmark("micro/slower", [
            F.timing(.wallTime, [1000, 1010, 990, 1005, 995, 1002]), F.exact(.allocations, 540_000),
        ]),
        F.benchmark("micro/faster", [
            F.timing(.wallTime, [2000, 2020, 1980, 2010, 1990, 2004]), F.exact(.allocations, 12),
        ]),
        F.benchmark("micro/same", [F.timing(.wallTime, [500, 505, 495, 502, 498, 501]), F.exact(.allocations, 3)]),
        F.benchmark("micro/gone", [F.timing(.wallTime, [10, 11, 10])]),
    ])

    static let candidate = F.results(runID: "cand-run", [
        F.benchmark("micro/slower", [
            F.timing(.wallTime, [1300, 1310, 1290, 1305, 1295, 1302]), F.exact(.allocations, 540_001),
        ]),
        F.benchmark("micro/faster", [
            F.timing(.wallTime, [1500, 1515, 1485, 1508, 1492, 1503]), F.exact(.allocations, 12),
        ]),
        F.benchmark("micro/same", [
            F.timing(.wallTime, [501, 504, 496, 502, 497, 500]),
            MetricResult.unavailable(.allocations, reason: "jemalloc is not the allocator"),
        ]),
        F.benchmark("micro/new", [F.timing(.wallTime, [10, 11, 10])]),
    ])

    static func report() throws -> GateReport {
        try F.comparator(rules: rules, required: [.allocations]).compare(baseline: baseline, candidate: candidate)
    }
}
