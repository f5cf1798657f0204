public import XenAPIModel

/// Every `xe` command the server knows: the generic ones derived from the datamodel for each
/// class, those derived from each class's messages on one object, then the hand-written ones
/// (each later one takes the place of an earlier one of the same name).
public struct CommandTable: Sendable {
    public let catalogue: CLICatalogue
    public let commands: [CLICommand]
    private let byName: [String: CLICommand]

    public init(model: DataModel) {
        let catalogue = CLICatalogue(model: model)
        var table: [String: CLICommand] = [:]
        var order: [String] = []
        func add(_ command: CLICommand) {
            if table[command.name] == nil { order.append(command.name) }
            table[command.name] = command
        }
        for cls in catalogue.classes {
            for command in GenericCommands.all(for: cls, model: model) { add(command) }
        }
        for command in MessageCommands.all(catalogue) { add(command) }
        for command in CustomCommands.all(catalogue: catalogue, model: model) { add(command) }
        self.catalogue = catalogue
        self.byName = table
        self.commands = order.sorted().map { table[$0]! }
    }

    /// The command with this name.
    public subscript(name: String) -> CLICommand? { byName[name] }
}
