import Testing
import XenAPI
import XenAPIModel

@Suite("Datamodel invariants")
struct ModelInvariantTests {
    let model = DataModel.current

    private func referencedClasses(_ type: FieldType) -> [String] {
        switch type {
        case .ref(let name), .record(let name): [name]
        case .set(let element): referencedClasses(element)
        case .map(let key, let value): referencedClasses(key) + referencedClasses(value)
        default: []
        }
    }

    private func referencedEnums(_ type: FieldType) -> [String] {
        switch type {
        case .enumeration(let name): [name]
        case .set(let element): referencedEnums(element)
        case .map(let key, let value): referencedEnums(key) + referencedEnums(value)
        default: []
        }
    }

    @Test("class, field, message, enum and error names are unique")
    func uniqueNames() {
        #expect(Set(model.classes.map(\.name)).count == model.classes.count)
        #expect(Set(model.enums.map(\.name)).count == model.enums.count)
        #expect(Set(model.errors.map(\.code)).count == model.errors.count)
        for cls in model.classes {
            #expect(Set(cls.fields.map(\.name)).count == cls.fields.count, "duplicate field in \(cls.name)")
            #expect(Set(cls.fields.map(\.columnName)).count == cls.fields.count, "duplicate column in \(cls.name)")
            #expect(Set(cls.messages.map(\.name)).count == cls.messages.count, "duplicate message in \(cls.name)")
        }
    }

    @Test("every ref names a modelled class or a declared unmodelled one; every enum exists")
    func referencesResolve() {
        let known = Set(model.classes.map(\.name)).union(model.unmodelledClasses)
        let enums = Set(model.enums.map(\.name))
        for cls in model.classes {
            let types = cls.fields.map(\.type) + cls.messages.flatMap { $0.parameters.map(\.type) + [$0.result].compactMap { $0 } }
            for type in types {
                for name in referencedClasses(type) { #expect(known.contains(name), "\(cls.name) refers to \(name)") }
                for name in referencedEnums(type) { #expect(enums.contains(name), "\(cls.name) uses enum \(name)") }
            }
        }
        #expect(model.unmodelledClasses.isDisjoint(with: model.classes.map(\.name)))
    }

    @Test("enum defaults are values of their enum")
    func enumDefaults() {
        for cls in model.classes {
            for field in cls.fields {
                guard case .enumeration(let name) = field.type, case .enumeration(let value)? = field.defaultValue else {
                    continue
                }
                #expect(model.enumeration(named: name)?.values.contains(value) == true, "\(cls.name).\(field.name)")
            }
        }
    }

    @Test("every relation has both ends with matching types (a reference or a set of them pointing), the set end read-only")
    func relations() throws {
        for relation in model.relations {
            let one = try #require(model.class(named: relation.oneClass)?.field(named: relation.oneField))
            let many = try #require(model.class(named: relation.manyClass)?.field(named: relation.manyField))
            #expect(one.type == .ref(relation.manyClass) || one.type == .set(.ref(relation.manyClass)))
            #expect(many.type == .set(.ref(relation.oneClass)))
            #expect(many.qualifier == .dynamicReadOnly)
        }
    }

    @Test("every error a message declares exists, and the generated constructors cover every error")
    func errors() {
        let codes = Set(model.errors.map(\.code))
        for cls in model.classes {
            for message in cls.messages {
                for error in message.errors { #expect(codes.contains(error.code), "\(cls.name).\(message.name): \(error.code)") }
            }
        }
        #expect(XenAPIError.declaredCodes == codes)
    }

    @Test("trailing defaulted parameters only: a required parameter never follows a defaulted one")
    func parameterDefaults() {
        for cls in model.classes {
            for message in cls.messages {
                let defaulted = message.parameters.map { $0.defaultValue != nil }
                #expect(defaulted == defaulted.sorted { !$0 && $1 }, "\(cls.name).\(message.name)")
            }
        }
    }

    @Test("fields Python clients index are present", arguments: [
        ("VM", ["uuid", "name_label", "power_state", "is_a_template", "VCPUs_max", "memory_static_max", "VBDs", "VIFs",
                "other_config", "resident_on", "guest_metrics", "is_control_domain", "domid", "platform"]),
        ("host", ["software_version", "API_version_major", "API_version_minor", "resident_VMs", "metrics", "enabled"]),
        ("pool", ["master", "default_SR", "other_config", "repositories"]),
        ("task", ["status", "progress", "result", "error_info", "created", "finished"]),
    ])
    func clientFields(className: String, fields: [String]) throws {
        let cls = try #require(model.class(named: className))
        for name in fields { #expect(cls.field(named: name) != nil, "\(className).\(name)") }
    }
}
