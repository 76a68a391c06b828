/// The parameters a benchmark was given by its suite entry, with the defaults it declared filled in.
public struct BenchmarkParameters: Sendable, Hashable {
    /// Values by parameter name.
    public var values: [String: JSONParameter]

    /// Creates parameters from `values`.
    public init(_ values: [String: JSONParameter] = [:]) { self.values = values }

    /// The integer parameter `name`, or `defaultValue` when absent.
    public func int(_ name: String, default defaultValue: Int) -> Int {
        switch values[name] {
        case .int(let value): value
        case .double(let value): Int(exactly: value) ?? defaultValue
        default: defaultValue
        }
    }

    /// The numeric parameter `name`, or `defaultValue` when absent.
    public func double(_ name: String, default defaultValue: Double) -> Double {
        switch values[name] {
        case .int(let value): Double(value)
        case .double(let value): value
        default: defaultValue
        }
    }

    /// The string parameter `name`, or `defaultValue` when absent.
    public func string(_ name: String, default defaultValue: String) -> String {
        if case .string(let value) = values[name] { return value }
        return defaultValue
    }

    /// The boolean parameter `name`, or `defaultValue` when absent.
    public func bool(_ name: String, default defaultValue: Bool) -> Bool {
        if case .bool(let value) = values[name] { return value }
        return defaultValue
    }
}

/// A parameter a benchmark accepts, so that suite files are checked against it.
public struct BenchmarkParameterSpec: Sendable, Hashable {
    /// The kind of value accepted.
    public enum Kind: String, Sendable, Hashable {
        case int, double, string, bool

        /// Whether `value` is acceptable for this kind (an integer is acceptable where a number is).
        func accepts(_ value: JSONParameter) -> Bool {
            switch (self, value) {
            case (.int, .int), (.double, .double), (.double, .int), (.string, .string), (.bool, .bool): true
            default: false
            }
        }
    }

    /// The parameter's key in a suite entry's `parameters`; the suite loader refuses keys no spec declares.
    public var name: String
    /// The value kind the suite loader accepts for it (an integer is accepted for `double`).
    public var kind: Kind
    /// What the parameter does and its default.
    public var summary: String

    /// Creates a parameter declaration.
    public init(_ name: String, _ kind: Kind, _ summary: String) {
        self.name = name
        self.kind = kind
        self.summary = summary
    }
}
