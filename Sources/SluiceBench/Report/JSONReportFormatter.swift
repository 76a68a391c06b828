import Foundation

/// Formats a `GateReport` as JSON (`reports/<run-id>.json`): pretty-printed with sorted keys, under the
/// report's versioned schema, and reads it back with the schema checked.
public struct JSONReportFormatter: Sendable {
    /// Creates a formatter.
    public init() {}

    /// The JSON for `report`.
    public func format(_ report: GateReport) throws(HarnessError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(report)
        } catch {
            throw HarnessError(.badInput, "cannot encode the report: \(error)")
        }
    }

    /// Decodes a report written by `format(_:)`, checking its schema version; `path` names it in errors.
    public func decode(_ data: Data, path: String) throws(HarnessError) -> GateReport {
        try JSONFileReader.decode(
            GateReport.self, from: data, path: path, kind: "gate report", schemaVersion: GateReport.currentSchemaVersion)
    }
}
