import XenAPI
import XenDB

/// What xapi's own constructors do beyond storing the record, run in the same write as the
/// implicit `create` (so a refused record leaves nothing behind): a VM gets its `mac_seed`, its
/// domain type and memory overhead (as xapi derives them), its metrics and `allowed_operations`; a VIF's device and MAC are checked, or the MAC generated; a VBD's
/// slot is checked (or chosen, for `autodetect`) and a CD's emptiness made consistent.
enum CreationRules {
    typealias Rule = @Sendable (inout Transaction, String, CoreServices) throws(XenAPIError) -> Void

    /// Class name → the rule for a new object of that class.
    static let afterInsert: [String: Rule] = [
        VM.className: { tx, ref, services throws(XenAPIError) in try vm(&tx, Ref(ref), services) },
        VIF.className: { tx, ref, _ throws(XenAPIError) in try vif(&tx, Ref(ref)) },
        VBD.className: { tx, ref, _ throws(XenAPIError) in try vbd(&tx, Ref(ref)) },
        Network.className: { tx, ref, _ throws(XenAPIError) in try network(&tx, Ref(ref)) },
    ]

    /// Class name → what to bring up to date after an implicit setter changed an object of that
    /// class: a VM's `allowed_operations` follow its `blocked_operations` and other fields.
    static let afterChange: [String: @Sendable (inout Transaction, String) throws(XenAPIError) -> Void] = [
        VM.className: { tx, ref throws(XenAPIError) in try VMMessages.refreshAllowedOperations(&tx, Ref(ref)) }
    ]

    static func vm(_ tx: inout Transaction, _ vm: Ref<VM>, _ services: CoreServices) throws(XenAPIError) {
        let record = try tx.snapshot.require(vm)
        if record.otherConfig["mac_seed"] == nil {
            let seed = services.environment.makeUUID()
            try tx.update(vm) { $0.otherConfig["mac_seed"] = seed }
        }
        if !record.isControlDomain {
            var derived = record.record
            derived.domainType = MemoryOverhead.effectiveType(derived)
            let overhead = MemoryOverhead.bytes(of: derived)
            try tx.update(vm) { vm in
                if vm.domainType != derived.domainType { vm.domainType = derived.domainType }
                if vm.memoryOverhead != overhead { vm.memoryOverhead = overhead }
            }
        }
        if !tx.snapshot.contains(record.metrics) {
            let metrics = services.makeRef(VMMetrics.self)
            let (uuid, now) = (services.environment.makeUUID(), services.now())
            try tx.insert(metrics) { metrics in
                metrics.uuid = uuid
                metrics.installTime = now
                metrics.lastUpdated = now
            }
            try tx.set(vm, \.metrics, metrics)
        }
        try VMMessages.refreshAllowedOperations(&tx, vm)
    }

    /// The prefixes of the bridges the toolstack names itself (`xenbrN` for physical networks,
    /// `xapiN` for internal ones) and of the host's own interfaces, refused in a caller's name.
    static let reservedBridgePrefixes = ["xen", "xapi", "vif", "tap", "eth"]

    /// A network's bridge, as xapi's `network.create` gives it: the first free `xapiN` when the
    /// caller names none, else the caller's name, which must fit the kernel's 15 characters, not
    /// look like one the toolstack makes, and be the only network's; an MTU of 0 or less is 1500.
    static func network(_ tx: inout Transaction, _ network: Ref<Network>) throws(XenAPIError) {
        let record = try tx.snapshot.require(network)
        let taken = Set(tx.snapshot.objects(Network.self).lazy.filter { $0.ref != network }.map(\.bridge))
        var bridge = record.bridge
        if bridge.isEmpty {
            bridge = "xapi\((0...).first { !taken.contains("xapi\($0)") } ?? 0)"
        } else {
            guard bridge.utf8.count <= 15, !reservedBridgePrefixes.contains(where: { bridge.hasPrefix($0) }) else {
                throw XenAPIError.invalidValue(field: "bridge", value: bridge)
            }
            guard !taken.contains(bridge) else { throw XenAPIError.bridgeNameExists(bridge: bridge) }
        }
        try tx.update(network) { network in
            if network.bridge != bridge { network.bridge = bridge }
            if network.mtu <= 0 { network.mtu = 1500 }
        }
    }

    static func vif(_ tx: inout Transaction, _ vif: Ref<VIF>) throws(XenAPIError) {
        let record = try tx.snapshot.require(vif)
        guard let vm = tx.snapshot[record.vm] else { throw XenAPIError.handleInvalid(className: VM.className, handle: record.vm.rawValue) }
        guard tx.snapshot.contains(record.network) else {
            throw XenAPIError.handleInvalid(className: Network.className, handle: record.network.rawValue)
        }
        guard let slot = DeviceSlots.slot(record.device), DeviceSlots.vifSlots(of: vm).contains(slot) else {
            throw XenAPIError.invalidDevice(device: record.device)
        }
        if vm.vifs.contains(where: { $0 != vif && tx.snapshot[$0]?.device == record.device }) {
            throw XenAPIError.deviceAlreadyExists(device: record.device)
        }
        var mac = record.mac, generated = false
        if mac.isEmpty, let seed = vm.otherConfig["mac_seed"] {
            (mac, generated) = (DeviceSlots.mac(slot: slot, seed: seed), true)
        }
        guard DeviceSlots.isValidMAC(mac) else { throw XenAPIError.macInvalid(mac: mac) }
        try tx.update(vif) { vif in
            vif.mac = mac
            vif.macAutogenerated = generated
            vif.currentlyAttached = false
        }
    }

    static func vbd(_ tx: inout Transaction, _ vbd: Ref<VBD>) throws(XenAPIError) {
        let record = try tx.snapshot.require(vbd)
        guard let vm = tx.snapshot[record.vm] else { throw XenAPIError.handleInvalid(className: VM.className, handle: record.vm.rawValue) }
        if !record.vdi.isNull, !tx.snapshot.contains(record.vdi) {
            throw XenAPIError.handleInvalid(className: VDI.className, handle: record.vdi.rawValue)
        }
        var userdevice = record.userdevice
        if userdevice == "autodetect" {
            guard let free = DeviceSlots.freeVBDSlots(of: vm, in: tx.snapshot).first else {
                throw XenAPIError.invalidDevice(device: userdevice)
            }
            userdevice = free
        }
        guard let slot = DeviceSlots.slot(userdevice), DeviceSlots.vbdSlots(of: vm).contains(slot) else {
            throw XenAPIError.invalidDevice(device: userdevice)
        }
        if vm.vbds.contains(where: { $0 != vbd && tx.snapshot[$0]?.userdevice == userdevice }) {
            throw XenAPIError.deviceAlreadyExists(device: userdevice)
        }
        if record.type == .cd, record.mode != .ro { throw XenAPIError.vbdCdsMustBeReadonly() }
        if record.type != .cd, record.vdi.isNull { throw XenAPIError.handleInvalid(className: VDI.className, handle: record.vdi.rawValue) }
        try tx.update(vbd) { vbd in
            vbd.userdevice = userdevice
            vbd.empty = record.vdi.isNull
            vbd.currentlyAttached = false
        }
        if !record.vdi.isNull { try StorageRules.refresh(record.vdi, in: &tx) }
    }
}
