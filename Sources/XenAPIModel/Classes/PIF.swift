extension DataModel {
    /// The `PIF` class: a physical (or VLAN/bond) network interface of a host.
    @_optimize(none)
    static func pifClass() -> ClassModel {
        ClassModel(
            name: "PIF", doc: "A physical network interface of a host (or a VLAN, bond or tunnel on one).",
            fields: [
                field("uuid", .string, doc: "Unique identifier"),
                field("device", .string, .staticReadOnly, doc: "Interface name (for example eth0)"),
                field("network", .ref("network"), .staticReadOnly, doc: "The network the interface is connected to"),
                field("host", .ref("host"), .staticReadOnly, doc: "The host the interface belongs to"),
                field("MAC", .string, .staticReadOnly, doc: "MAC address"),
                field("MTU", .int, .staticReadOnly, doc: "Maximum transmission unit, in bytes"),
                field("VLAN", .int, .staticReadOnly, doc: "VLAN tag, or -1 for none"),
                field("metrics", .ref("PIF_metrics"), doc: "Metrics of the interface"),
                field("physical", .bool, default: .bool(false), doc: "Whether this is a physical interface"),
                field("currently_attached", .bool, default: .bool(true), doc: "Whether the interface is plugged"),
                field(
                    "ip_configuration_mode", .enumeration("ip_configuration_mode"), default: .enumeration("None"),
                    doc: "How the IPv4 address is configured"),
                field("IP", .string, default: .string(""), doc: "IPv4 address"),
                field("netmask", .string, default: .string(""), doc: "IPv4 netmask"),
                field("gateway", .string, default: .string(""), doc: "IPv4 gateway"),
                field("DNS", .string, default: .string(""), doc: "DNS servers, comma-separated"),
                field("bond_slave_of", .ref("Bond"), default: .nullRef, doc: "The bond this interface is a member of"),
                field("bond_master_of", .set(.ref("Bond")), doc: "Bonds this interface is the master of"),
                field(
                    "VLAN_master_of", .ref("VLAN"), default: .nullRef,
                    doc: "The VLAN this interface is the tagged interface of"),
                field("VLAN_slave_of", .set(.ref("VLAN")), doc: "VLANs carried on this interface"),
                field(
                    "management", .bool, default: .bool(false),
                    doc: "Whether this is the host's management interface"),
                field("other_config", .stringMap, .readWrite, default: .emptyMap, doc: "Additional configuration"),
                field(
                    "disallow_unplug", .bool, default: .bool(false),
                    doc: "Whether the interface must not be unplugged"),
                field("tunnel_access_PIF_of", .set(.ref("tunnel")), doc: "Tunnels this is the access interface of"),
                field(
                    "tunnel_transport_PIF_of", .set(.ref("tunnel")),
                    doc: "Tunnels this is the transport interface of"),
                field(
                    "ipv6_configuration_mode", .enumeration("ipv6_configuration_mode"), default: .enumeration("None"),
                    doc: "How the IPv6 address is configured"),
                field("IPv6", .stringSet, default: .emptySet, doc: "IPv6 addresses"),
                field("ipv6_gateway", .string, default: .string(""), doc: "IPv6 gateway"),
                field(
                    "primary_address_type", .enumeration("primary_address_type"), default: .enumeration("IPv4"),
                    doc: "Which address family is used for management"),
                field(
                    "managed", .bool, .staticReadOnly, default: .bool(true),
                    doc: "Whether the toolstack manages the interface"),
                field("properties", .stringMap, default: .emptyMap, doc: "Device properties"),
                field("capabilities", .stringSet, default: .emptySet, doc: "Device capabilities"),
                field(
                    "igmp_snooping_status", .enumeration("pif_igmp_status"), default: .enumeration("unknown"),
                    doc: "IGMP snooping state of the interface"),
                field(
                    "sriov_physical_PIF_of", .set(.ref("network_sriov")),
                    doc: "SR-IOV networks this is the physical interface of"),
                field(
                    "sriov_logical_PIF_of", .set(.ref("network_sriov")),
                    doc: "SR-IOV networks this is the logical interface of"),
                field("PCI", .ref("PCI"), default: .nullRef, doc: "The PCI device backing the interface"),
            ],
            messages: [],
            hasImplicitConstructor: false, exposesGetAll: true, persisted: true, generatesEvents: true)
    }
}
