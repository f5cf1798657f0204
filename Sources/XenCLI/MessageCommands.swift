import Foundation
import XenAPIModel
import XenDB
import XenRPC

/// Commands derived from the messages of each class that act on one object (their first
/// parameter is a reference to the class): `<class>-<message>` (`sr-scan`, `pbd-plug`,
/// `vdi-resize`) with `uuid=` naming the object and the other parameters in kebab case, as xe
/// spells parameters; references are given by uuid, maps as `name:key=value`. The result is
/// printed as xe prints a field of its type (a new object's uuid, a value). Hand-written
/// commands of the same name take their place.
enum MessageCommands {
    /// xe's own names for some parameters.
    static let renamed: [String: String] = ["new_name": "new-name-label", "size": "disk-size"]

    static func all(_ catalogue: CLICatalogue) -> [CLICommand] {
        catalogue.classes.filter { $0.name == CLICatalogue.cliName(of: $0.model.name) }.flatMap { cls in
            cls.model.messages.compactMap { command(for: $0, of: cls) }
        }
    }

    private static func command(for message: MessageModel, of cls: CLIClass) -> CLICommand? {
        guard let first = message.parameters.first, first.type == .ref(cls.model.name), message.takesSession,
            message.lifecycle != .removed, !["destroy", "create"].contains(message.name),
            !message.name.hasPrefix("set_"), !message.name.hasPrefix("add_"), !message.name.hasPrefix("remove_")
        else { return nil }
        let rest = Array(message.parameters.dropFirst())
        guard rest.allSatisfy({ supported($0.type) }) else { return nil }
        let names = rest.map { renamed[$0.name] ?? $0.name.replacingOccurrences(of: "_", with: "-") }
        let maps = zip(rest, names).filter { if case .map = $0.0.type { true } else { false } }.map(\.1)
        let required = ["uuid"] + zip(rest, names).filter { $0.0.defaultValue == nil && !maps.contains($0.1) }.map(\.1)
        let optional = zip(rest, names).filter { $0.0.defaultValue != nil && !maps.contains($0.1) }.map(\.1)
        let name = cls.name + "-" + message.name.replacingOccurrences(of: "_", with: "-").lowercased()
        let className = cls.model.name
        return CLICommand(
            name: name, help: message.doc + (maps.isEmpty ? "" : " Maps: \(maps.map { "\($0):<key>=<value>" }.joined(separator: ", ")).") ,
            required: required, optional: optional, mapParameters: maps
        ) { run in
            let ref = try GenericCommands.lookUp(cls, run)
            let parsing = CLIValueParsing(snapshot: run.snapshot, model: .current)
            var arguments: [RPCValue] = [.string(ref)]
            for (parameter, cliName) in zip(rest, names) {
                if case .map = parameter.type {
                    arguments.append(DeviceCommands.mapEntries(cliName, run))
                } else if let text = run.invocation[cliName] {
                    arguments.append(try parsing.value(text, type: parameter.type, field: cliName))
                } else if let value = parameter.defaultValue {
                    arguments.append(ValueCoercion.wireValue(value, type: parameter.type))
                } else {
                    throw CLIFailure.missingParameter(cliName)
                }
            }
            guard let result = message.result else {
                if message.hasAsync { try await run.runTask("\(className).\(message.name)", arguments) } else {
                    try await run.call("\(className).\(message.name)", arguments)
                }
                return
            }
            if case .ref(let target) = result, message.hasAsync {
                let made = try await run.runTask("\(className).\(message.name)", arguments)
                await run.print(run.snapshot.value(target, made, "uuid")?.stringValue ?? made)
                return
            }
            let value = try await run.call("\(className).\(message.name)", arguments)
            await run.print(CLIValue.of(value, type: result, in: run.snapshot).rendered)
        }
    }

    /// Types a command line can give: scalars, references, sets of them, string maps.
    private static func supported(_ type: FieldType) -> Bool {
        switch type {
        case .string, .int, .float, .bool, .datetime, .enumeration, .ref: true
        case .set(let element): supported(element) && { if case .set = element { false } else { true } }()
        case .map(.string, .string): true
        case .map, .record: false
        }
    }
}
