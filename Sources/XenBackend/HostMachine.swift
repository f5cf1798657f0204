/// Who a host is, as the machine itself records it (XenServer keeps this in
/// `/etc/xensource-inventory`): the toolstack makes the host's records from it, so a host keeps
/// its identity whatever happens to the database.
public struct HostInventory: Sendable, Hashable, Codable {
    /// The host's uuid (the inventory's `INSTALLATION_UUID`).
    public var uuid: String
    public var hostname: String
    /// The management interface's address.
    public var address: String
    /// The management interface's hardware address.
    public var managementMAC: String

    public init(uuid: String, hostname: String, address: String, managementMAC: String) {
        self.uuid = uuid
        self.hostname = hostname
        self.address = address
        self.managementMAC = managementMAC
    }
}

/// One machine of the pool: its inventory, the hypervisor its VMs run on and its package database.
public struct HostMachine: Sendable {
    public var inventory: HostInventory
    public var hypervisor: any Hypervisor
    public var packages: any PackageDatabase

    public init(inventory: HostInventory, hypervisor: any Hypervisor, packages: any PackageDatabase) {
        self.inventory = inventory
        self.hypervisor = hypervisor
        self.packages = packages
    }
}

/// Where a live migration's sender sends the guest: an address the receiving hypervisor named.
public struct MigrationEndpoint: Sendable, Hashable, Codable {
    public var url: String

    public init(url: String) { self.url = url }
}
