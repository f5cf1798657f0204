extension DataModel {
    /// The relations among the modelled classes. The `many` side is a computed, server-managed
    /// set field: it lists the objects whose `one` field points back at the owner (a reference,
    /// or a set of references, as a VM's `groups`: then the relation is many-to-many).
    static func allRelations() -> [Relation] {
        [
            Relation(oneClass: "VBD", oneField: "VM", manyClass: "VM", manyField: "VBDs"),
            Relation(oneClass: "VIF", oneField: "VM", manyClass: "VM", manyField: "VIFs"),
            Relation(oneClass: "VBD", oneField: "VDI", manyClass: "VDI", manyField: "VBDs"),
            Relation(oneClass: "VDI", oneField: "SR", manyClass: "SR", manyField: "VDIs"),
            Relation(oneClass: "PBD", oneField: "SR", manyClass: "SR", manyField: "PBDs"),
            Relation(oneClass: "PBD", oneField: "host", manyClass: "host", manyField: "PBDs"),
            Relation(oneClass: "VM", oneField: "resident_on", manyClass: "host", manyField: "resident_VMs"),
            Relation(oneClass: "PIF", oneField: "host", manyClass: "host", manyField: "PIFs"),
            Relation(oneClass: "PIF", oneField: "network", manyClass: "network", manyField: "PIFs"),
            Relation(oneClass: "VIF", oneField: "network", manyClass: "network", manyField: "VIFs"),
            Relation(oneClass: "host_cpu", oneField: "host", manyClass: "host", manyField: "host_CPUs"),
            Relation(oneClass: "VM", oneField: "snapshot_of", manyClass: "VM", manyField: "snapshots"),
            Relation(oneClass: "VM", oneField: "parent", manyClass: "VM", manyField: "children"),
            Relation(oneClass: "VDI", oneField: "snapshot_of", manyClass: "VDI", manyField: "snapshots"),
            Relation(oneClass: "task", oneField: "subtask_of", manyClass: "task", manyField: "subtasks"),
            Relation(oneClass: "VLAN", oneField: "tagged_PIF", manyClass: "PIF", manyField: "VLAN_slave_of"),
            Relation(oneClass: "VM", oneField: "groups", manyClass: "VM_group", manyField: "VMs"),
        ]
    }
}
