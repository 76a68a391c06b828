import Sluice
import SluiceTestKit
import Testing

@Suite struct KeyGroupsTests {
    @Test func groupsAreStableAndInRange() {
        let groups = KeyGroups()
        // Golden values: these must never change, or restored state lands in the wrong group.
        #expect(groups.group(for: "customer-42") == Int((0xCA6E_96E9_5695_8C0F as UInt64) >> 49))
        #expect(groups.group(forHash: 0) == 0)
        #expect(groups.group(forHash: .max) == groups.count - 1)
        let small = KeyGroups(count: 7)
        for key in 0..<1_000 { #expect((0..<7).contains(small.group(for: key))) }
    }

    @Test(arguments: 1...16)
    func rescalingToOneMoreWorkerMovesAtMostItsShare(_ workers: Int) {
        let groups = KeyGroups()
        let before = KeyGroupAssignment(keyGroups: groups, workers: workers)
        let after = KeyGroupAssignment(keyGroups: groups, workers: workers + 1)
        let moved = before.movedGroups(to: after)
        let share = Double(moved.count) / Double(groups.count)
        #expect(share <= 1.2 / Double(workers + 1), "moved \(moved.count) of \(groups.count) groups")
        #expect(share >= 0.8 / Double(workers + 1), "moved \(moved.count) of \(groups.count) groups")
        // Only the new worker gains groups; nobody else's ownership changes.
        #expect(moved.allSatisfy { after.worker(forGroup: $0) == workers })
    }

    @Test(arguments: [2, 3, 8, 16])
    func groupsSpreadEvenlyOverWorkers(_ workers: Int) {
        let counts = KeyGroupAssignment(keyGroups: KeyGroups(), workers: workers).groupCounts()
        let mean = Double(KeyGroups.defaultCount) / Double(workers)
        #expect(Double(counts.max()!) / mean <= 1.05, "group counts \(counts)")
    }

    @Test func uniformKeysAtEightWorkersAreBalanced() {
        var random = SeededRandomNumberGenerator.fromEnvironment(default: 8)
        let assignment = KeyGroupAssignment(keyGroups: KeyGroups(), workers: 8)
        var load = Array(repeating: 0, count: 8)
        for _ in 0..<200_000 { load[assignment.worker(for: Int.random(in: 0..<1_000_000, using: &random))] += 1 }
        let skew = Double(load.max()!) / (Double(load.reduce(0, +)) / 8)
        #expect(skew <= 1.1, "seed \(random.seed), load \(load)")
    }

    @Test func assignmentAgreesWithDirectRouting() {
        let groups = KeyGroups(count: 512)
        let assignment = KeyGroupAssignment(keyGroups: groups, workers: 5)
        for key in ["a", "b", "hot", "cold", "x-1", "x-2"] {
            #expect(assignment.worker(for: key) == groups.worker(for: key, workers: 5))
        }
        #expect((0..<5).flatMap { assignment.groups(ownedBy: $0) }.sorted() == Array(0..<512))
    }
}
