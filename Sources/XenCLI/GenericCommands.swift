import XenAPI
import XenAPIModel
import XenDB
import XenRPC

/// The commands xe derives for every class (`cli_operations.ml` `gen_cmds`): `-list`,
/// `-param-list`, `-param-get`, `-param-set`, `-param-add`, `-param-remove`, `-param-clear`,
/// and `-destroy` where the class has a destructor.
enum GenericCommands {
    static func all(for cls: CLIClass, model: DataModel) -> [CLICommand] {
        let noun = cls.model.name
        var commands = [
            list(cls), paramList(cls), paramGet(cls), paramSet(cls, model: model), paramAdd(cls, model: model),
            paramRemove(cls, model: model), paramClear(cls),
        ]
        let hasDestroy = cls.model.hasImplicitConstructor || cls.model.messages.contains { $0.name == "destroy" }
        if hasDestroy, cls.name == CLICatalogue.cliName(of: noun) {
            commands.append(
                CLICommand(name: "\(cls.name)-destroy", help: "Destroy the \(cls.name) with this uuid.", required: ["uuid"]) {
                    run in
                    try await run.call("\(noun).destroy", .string(try lookUp(cls, run)))
                })
        }
        return commands
    }

    /// The ref of the object named by `uuid=`, or xapi's `UUID_INVALID`.
    static func lookUp(_ cls: CLIClass, _ run: CommandRun) throws(CLIFailure) -> String {
        let uuid = try run.invocation.required("uuid")
        guard let ref = run.snapshot.ref(cls.model.name, uuid: uuid) else {
            throw CLIFailure.api(.uuidInvalid(className: cls.model.name, uuid: uuid))
        }
        return ref
    }

    /// The parameters that are not the command's own (filters, or fields to set).
    static func fieldParameters(_ run: CommandRun, except own: Set<String>) -> [(key: String, value: String)] {
        run.invocation.parameters.filter { !own.contains($0.key) && !CLIInvocation.standardKeys.contains($0.key) }
    }

    static func list(_ cls: CLIClass) -> CLICommand {
        CLICommand(
            name: "\(cls.name)-list",
            help: "Lists all the \(cls.name)s, filtered by any of their fields (name-label=…), with the fields "
                + "params= names (params=all for every one); --minimal prints the first one's values on one line.",
            optional: ["params"], filters: cls
        ) { run in
            let snapshot = run.snapshot
            let refs = cls.refs(in: snapshot, matching: fieldParameters(run, except: ["params"]))
            let columns = selectedColumns(cls, run.invocation["params"])
            if run.invocation.flag("minimal") {
                let first = columns.first
                await run.print(RecordPrinter.minimal(refs.map { first?.read(snapshot, $0).rendered ?? "" }))
                return
            }
            await run.print(lines: RecordPrinter.records(refs.map { ref in
                columns.map { (label: $0.name + $0.tag, value: $0.read(snapshot, ref).rendered) }
            }))
        }
    }

    /// The fields `params=` names, in record order: the default columns without it, every
    /// field shown by `-param-list` for `all`.
    static func selectedColumns(_ cls: CLIClass, _ params: String?) -> [CLIField] {
        guard let params else { return cls.fields.filter { cls.listColumns.contains($0.name) } }
        if params == "all" { return cls.fields.filter { !$0.hidden } }
        let names = Set(params.split(separator: ",").map { String($0).trimmingSpaces })
        return cls.fields.filter { names.contains($0.name) }
    }

    static func paramList(_ cls: CLIClass) -> CLICommand {
        CLICommand(name: "\(cls.name)-param-list", help: "List the fields of the \(cls.name) with this uuid.", required: ["uuid"]) {
            run in
            let ref = try lookUp(cls, run)
            let snapshot = run.snapshot
            await run.print(lines: RecordPrinter.records([
                cls.fields.filter { !$0.hidden }.map { (label: $0.name + $0.tag, value: $0.read(snapshot, ref).rendered) }
            ]))
        }
    }

    static func paramGet(_ cls: CLIClass) -> CLICommand {
        CLICommand(
            name: "\(cls.name)-param-get",
            help: "Print one field of the \(cls.name) with this uuid; for a map, param-key= prints one key's value.",
            required: ["uuid", "param-name"], optional: ["param-key"]
        ) { run in
            let ref = try lookUp(cls, run)
            let field = try field(cls, run.invocation.required("param-name"))
            let value = field.read(run.snapshot, ref)
            guard let key = run.invocation["param-key"] else {
                await run.print(value.rendered)
                return
            }
            guard case .map(let pairs) = value else {
                await run.print(value.rendered)
                return
            }
            guard let entry = pairs.first(where: { $0.key == key }) else {
                throw CLIFailure.message("Key \(key) not found in map")
            }
            await run.print(entry.value)
        }
    }

    static func paramSet(_ cls: CLIClass, model: DataModel) -> CLICommand {
        CLICommand(
            name: "\(cls.name)-param-set",
            help: "Set fields of the \(cls.name) with this uuid: field=value, or map-field:key=value for one key of a map.",
            required: ["uuid"], takesFieldNames: true
        ) { run in
            let ref = try lookUp(cls, run)
            let assignments = fieldParameters(run, except: ["uuid"])
            for (key, value) in assignments {
                let (name, mapKey) = CLIClass.split(key)
                let field = try field(cls, name)
                let parsing = CLIValueParsing(snapshot: run.snapshot, model: model)
                if let mapKey {
                    guard let modelField = field.modelField, case .map(let keyType, let valueType) = modelField.type else {
                        throw CLIFailure.message("Unknown field '\(key)'")
                    }
                    guard field.writable else { throw CLIFailure.message("Map field '\(field.name)' is read-only.") }
                    let wireKey = try parsing.value(mapKey, type: keyType, field: key)
                    let wireValue = try parsing.value(value, type: valueType, field: key)
                    try await run.call("\(cls.model.name).remove_from_\(modelField.name)", .string(ref), wireKey)
                    try await run.call("\(cls.model.name).add_to_\(modelField.name)", .string(ref), wireKey, wireValue)
                    continue
                }
                let modelField = try settable(field)
                if case .set = modelField.type, !hasCustomSetter(cls, modelField) {
                    throw CLIFailure.message("Cannot param-set on set fields")
                }
                let wire = try parsing.value(value, type: modelField.type, field: field.name)
                try await run.call("\(cls.model.name).set_\(modelField.name)", .string(ref), wire)
            }
        }
    }

    /// Whether the class sets the field through a message of its own (`pool.set_repositories`),
    /// which xe lets `-param-set` call with a comma-separated list even for a set.
    static func hasCustomSetter(_ cls: CLIClass, _ field: Field) -> Bool {
        cls.model.messages.contains { $0.name == "set_\(field.name)" }
    }

    static func paramAdd(_ cls: CLIClass, model: DataModel) -> CLICommand {
        CLICommand(
            name: "\(cls.name)-param-add",
            help: "Add keys (key=value) to a map field, or param-key= to a set field, of the \(cls.name) with this uuid.",
            required: ["uuid", "param-name"], optional: ["param-key"], takesFieldNames: true
        ) { run in
            let ref = try lookUp(cls, run)
            let field = try field(cls, run.invocation.required("param-name"))
            guard field.kind != .scalar else { throw CLIFailure.message("Can only add to parameters of type Set or Map") }
            guard field.writable, let modelField = field.modelField else { throw CLIFailure.message("Parameter is read-only") }
            let parsing = CLIValueParsing(snapshot: run.snapshot, model: model)
            switch modelField.type {
            case .map(let keyType, let valueType):
                let pairs = fieldParameters(run, except: ["uuid", "param-name", "param-key"])
                for (key, value) in pairs {
                    try await run.call(
                        "\(cls.model.name).add_to_\(modelField.name)", .string(ref),
                        try parsing.value(key, type: keyType, field: field.name),
                        try parsing.value(value, type: valueType, field: field.name))
                }
            case .set(let element):
                guard let key = run.invocation["param-key"] else {
                    throw CLIFailure.message(
                        "When adding a key to a set, use the syntax: *-param-add param-name=<name> param-key=<key>")
                }
                try await run.call("\(cls.model.name).add_\(modelField.name)", .string(ref), try parsing.value(key, type: element, field: field.name))
            default:
                throw CLIFailure.message("Can only add to parameters of type Set or Map")
            }
        }
    }

    static func paramRemove(_ cls: CLIClass, model: DataModel) -> CLICommand {
        CLICommand(
            name: "\(cls.name)-param-remove",
            help: "Remove the key param-key= from a map field, or the element from a set field, of the \(cls.name) with this uuid.",
            required: ["uuid", "param-name", "param-key"]
        ) { run in
            let ref = try lookUp(cls, run)
            let field = try field(cls, run.invocation.required("param-name"))
            guard field.kind != .scalar else { throw CLIFailure.message("Can only remove from parameters of type Set or Map") }
            guard field.writable, let modelField = field.modelField else {
                throw CLIFailure.message("Cannot remove parameters from read-only map")
            }
            let parsing = CLIValueParsing(snapshot: run.snapshot, model: model)
            let key = try run.invocation.required("param-key")
            switch (modelField.type, field.read(run.snapshot, ref)) {
            case (.map(let keyType, _), .map(let pairs)):
                guard pairs.contains(where: { $0.key == key }) else { throw CLIFailure.message("Key \(key) is not in map") }
                try await run.call(
                    "\(cls.model.name).remove_from_\(modelField.name)", .string(ref),
                    try parsing.value(key, type: keyType, field: field.name))
            case (.set(let element), .set(let elements)), (.set(let element), .commaSet(let elements)):
                guard elements.contains(key) else { throw CLIFailure.message("Key \(key) is not in the set") }
                try await run.call(
                    "\(cls.model.name).remove_\(modelField.name)", .string(ref),
                    try parsing.value(key, type: element, field: field.name))
            default:
                throw CLIFailure.message("Can only remove from parameters of type Set or Map")
            }
        }
    }

    static func paramClear(_ cls: CLIClass) -> CLICommand {
        CLICommand(
            name: "\(cls.name)-param-clear", help: "Empty a map or set field of the \(cls.name) with this uuid.",
            required: ["uuid", "param-name"]
        ) { run in
            let ref = try lookUp(cls, run)
            let field = try field(cls, run.invocation.required("param-name"))
            guard field.writable, let modelField = field.modelField else { throw CLIFailure.message("Can only clear RW parameters") }
            let empty: RPCValue
            switch modelField.type {
            case .map: empty = .structure([:])
            case .set: empty = .array([])
            case .string: empty = .string("")
            default: throw CLIFailure.message("Cannot clear this parameter")
            }
            try await run.call("\(cls.model.name).set_\(modelField.name)", .string(ref), empty)
        }
    }

    static func field(_ cls: CLIClass, _ name: String) throws(CLIFailure) -> CLIField {
        guard let field = cls.field(name) else { throw CLIFailure.message("Unknown field '\(name)'") }
        return field
    }

    /// The model field behind a writable CLI field, or xe's read-only refusal.
    static func settable(_ field: CLIField) throws(CLIFailure) -> Field {
        guard field.writable, let modelField = field.modelField else {
            throw CLIFailure.message("Field '\(field.name)' is read-only.")
        }
        return modelField
    }
}
