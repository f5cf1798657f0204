import Foundation
public import XenAPIModel
import XenDB

/// Every class `xe` has commands for, derived from the datamodel: each class with a uuid (but
/// sessions and events), with xe's spellings and derived fields laid over the model's fields,
/// plus `template` and `snapshot`, xe's views of VMs.
public struct CLICatalogue: Sendable {
    public let classes: [CLIClass]
    let byName: [String: CLIClass]

    public init(model: DataModel) {
        let relations = Set(model.relations.map { "\($0.manyClass).\($0.manyField)" })
        var classes: [CLIClass] = []
        for cls in model.classes where cls.field(named: "uuid") != nil && !["session", "event"].contains(cls.name) {
            let fields = CLICatalogue.fields(of: cls, model: model, relations: relations)
            let name = CLICatalogue.cliName(of: cls.name)
            classes.append(
                CLIClass(
                    name: name, model: cls, fields: fields,
                    listColumns: CLICatalogue.listColumns[name] ?? CLICatalogue.defaultColumns(fields),
                    impliedFilters: name == "vm" ? [("is-a-template", "false")] : []))
            if cls.name == "VM" {
                classes.append(
                    CLIClass(
                        name: "template", model: cls, fields: fields,
                        listColumns: ["uuid", "name-label", "name-description"],
                        impliedFilters: [("is-a-template", "true"), ("is-a-snapshot", "false")]))
                classes.append(
                    CLIClass(
                        name: "snapshot", model: cls, fields: fields,
                        listColumns: ["uuid", "name-label", "name-description"],
                        impliedFilters: [("is-a-snapshot", "true")]))
            }
        }
        self.classes = classes
        self.byName = Dictionary(uniqueKeysWithValues: classes.map { ($0.name, $0) })
    }

    /// The class with this CLI name.
    public subscript(name: String) -> CLIClass? { byName[name] }

    /// `VM_guest_metrics` → `vm-guest-metrics`, `host_cpu` → `host-cpu`.
    static func cliName(of className: String) -> String {
        className.lowercased().replacingOccurrences(of: "_", with: "-")
    }

    /// The columns of `-list` where xe chooses them (`cli_operations.ml`); other classes show
    /// their uuid and names.
    static let listColumns: [String: [String]] = [
        "vm": ["uuid", "name-label", "power-state"],
        "host": ["uuid", "name-label", "name-description"],
        "pool": ["uuid", "name-label", "name-description", "master", "default-SR"],
        "sr": ["uuid", "name-label", "name-description", "host", "type", "content-type"],
        "vdi": ["uuid", "name-label", "name-description", "virtual-size", "read-only", "sharable", "sr-uuid"],
        "vbd": ["uuid", "vm-uuid", "vm-name-label", "vdi-uuid", "device", "empty"],
        "vif": ["uuid", "device", "vm-uuid", "network-uuid"],
        "network": ["uuid", "name-label", "name-description", "bridge"],
        "pif": ["uuid", "device", "VLAN", "MAC", "network-uuid", "currently-attached", "host-uuid"],
        "pbd": ["uuid", "host-uuid", "sr-uuid", "device-config", "currently-attached"],
        "task": ["uuid", "name-label", "name-description", "status", "progress"],
        "message": ["uuid", "name", "priority", "class", "obj-uuid", "timestamp", "body"],
        "host-cpu": ["uuid", "number", "vendor", "speed", "model"],
    ]

    private static func defaultColumns(_ fields: [CLIField]) -> [String] {
        ["uuid", "name-label", "name-description"].filter { name in fields.contains { $0.name == name } }
    }

    /// Model fields xe names differently from the `_` → `-` rule.
    static let renamed: [String: String] = [
        "VM.domid": "dom-id", "VM.suspend_VDI": "suspend-VDI-uuid", "VM.suspend_SR": "suspend-SR-uuid",
        "message.obj_uuid": "obj-uuid", "message.cls": "class",
    ]

    /// The fields of `cls`: uuid and the names first, then the model's order; a reference to an
    /// object of the class it is named after (`VBD.VM`) becomes `<class>-uuid` with a
    /// `<class>-name-label` beside it, as xe shows them; references to metrics are hidden.
    static func fields(of cls: ClassModel, model: DataModel, relations: Set<String>) -> [CLIField] {
        let front = ["uuid", "name_label", "name_description"]
        let ordered = front.compactMap { cls.field(named: $0) } + cls.fields.filter { !front.contains($0.name) }
        var fields: [CLIField] = []
        for field in ordered where field.lifecycle != .removed {
            // Writable as the model says, or through a custom setter (`VM.set_VCPUs_max`).
            let writable =
                (field.qualifier == .readWrite && !relations.contains("\(cls.name).\(field.name)"))
                || cls.messages.contains { $0.name == "set_\(field.name)" }
            if case .ref(let target) = field.type, target.lowercased() == field.name.lowercased() {
                let prefix = cliName(of: target)
                fields.append(.model(field, of: cls.name, name: "\(prefix)-uuid", writable: writable))
                if model.class(named: target)?.field(named: "name_label") != nil {
                    fields.append(.through(field.name, of: cls.name, to: target, field: "name_label", name: "\(prefix)-name-label"))
                }
                continue
            }
            var hidden = false
            if case .ref(let target) = field.type, target.hasSuffix("metrics") { hidden = true }
            let name = renamed["\(cls.name).\(field.name)"] ?? field.name.replacingOccurrences(of: "_", with: "-")
            fields.append(.model(field, of: cls.name, name: name, writable: writable, hidden: hidden))
        }
        return fields + derived(of: cls.name)
    }

    /// Fields xe computes from other objects.
    static func derived(of className: String) -> [CLIField] {
        switch className {
        case "VM":
            [
                .through("metrics", of: "VM", to: "VM_metrics", field: "start_time", name: "start-time"),
                .through("metrics", of: "VM", to: "VM_metrics", field: "install_time", name: "install-time"),
                .through("metrics", of: "VM", to: "VM_metrics", field: "VCPUs_number", name: "VCPUs-number"),
                .through("metrics", of: "VM", to: "VM_metrics", field: "memory_actual", name: "memory-actual"),
                .through("guest_metrics", of: "VM", to: "VM_guest_metrics", field: "os_version", name: "os-version", kind: .map),
                .through("guest_metrics", of: "VM", to: "VM_guest_metrics", field: "networks", name: "networks", kind: .map),
                .through("guest_metrics", of: "VM", to: "VM_guest_metrics", field: "PV_drivers_version", name: "PV-drivers-version", kind: .map),
            ]
        case "SR":
            [
                CLIField(name: "host", kind: .scalar, writable: false) { snapshot, ref in
                    // xe's `host`: the host of the SR's PBD, `<shared>` for an SR on several.
                    let pbds = snapshot.value("SR", ref, "PBDs")?.arrayValue ?? []
                    if pbds.count > 1 { return .text("<shared>") }
                    guard let pbd = pbds.first?.stringValue, let host = snapshot.value("PBD", pbd, "host")?.stringValue,
                        let name = snapshot.value("host", host, "name_label")?.stringValue
                    else { return .text("<not in database>") }
                    return .text(name)
                }
            ]
        default:
            []
        }
    }
}
