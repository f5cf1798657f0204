/// One `xe` command: its name, documentation, the parameters it takes, and what it does.
public struct CLICommand: Sendable {
    public var name: String
    /// What `xe help <command>` prints as its description.
    public var help: String
    public var required: [String]
    public var optional: [String]
    /// Commands that select objects by any of their fields (`vm-start power-state=halted`,
    /// `vm-list name-label=web`) accept filters on this class's fields.
    public var filters: CLIClass?
    /// Commands whose parameters are field names (`-param-set`), checked by the command itself.
    public var takesFieldNames: Bool
    /// Map parameters, given as `name:key=value` (`device-config:location=/srv`).
    public var mapParameters: [String]
    public var run: @Sendable (CommandRun) async throws -> Void

    public init(
        name: String, help: String, required: [String] = [], optional: [String] = [], filters: CLIClass? = nil,
        takesFieldNames: Bool = false, mapParameters: [String] = [], run: @escaping @Sendable (CommandRun) async throws -> Void
    ) {
        self.name = name
        self.help = help
        self.required = required
        self.optional = optional
        self.filters = filters
        self.takesFieldNames = takesFieldNames
        self.mapParameters = mapParameters
        self.run = run
    }

    /// Parameters given that this command does not take.
    func unknownParameters(in invocation: CLIInvocation) -> [String] {
        guard !takesFieldNames else { return [] }
        let known = Set(required + optional).union(CLIInvocation.standardKeys)
        var unknown: [String] = []
        for (key, _) in invocation.parameters where !known.contains(key) {
            if let filters, filters.accepts(key) { continue }
            if key.contains(":"), mapParameters.contains(CLIClass.split(key).field) { continue }
            if !unknown.contains(key) { unknown.append(key) }
        }
        return unknown
    }
}
