import Foundation
import Synchronization
import Testing
import XenAPI
import XenDB
import XenRPC
import XenStorage
@testable import XenCore

/// Disks as VHD files in the pool's SRs, driven through the API as a client drives them.
@Suite("storage: disks as files")
struct StorageTests {
    private static let mib: Int64 = 1 << 20

    private static func localSR(_ harness: ToolstackHarness, _ session: RPCValue) async throws -> RPCValue {
        let pool = try #require(try await harness.value("pool.get_all", session).arrayValue?.first)
        return try await harness.value("pool.get_default_SR", session, pool)
    }

    /// A new disk in the SR, of `size` bytes.
    private static func makeDisk(_ harness: ToolstackHarness, _ session: RPCValue, sr: RPCValue, size: Int64, name: String = "disk") async throws -> RPCValue {
        var record = VDI()
        record.nameLabel = name
        record.sr = Ref(sr.stringValue!)
        record.virtualSize = size
        record.type = .user
        return try await harness.value("VDI.create", session, record.rpcValue)
    }

    /// A drive in the VM holding the disk.
    private static func attach(_ harness: ToolstackHarness, _ session: RPCValue, vm: RPCValue, vdi: RPCValue, device: String = "0") async throws {
        var record = VBD()
        record.vm = Ref(vm.stringValue!)
        record.vdi = Ref(vdi.stringValue!)
        record.userdevice = device
        record.mode = .rw
        record.type = .disk
        record.bootable = device == "0"
        _ = try await harness.value("VBD.create", session, record.rpcValue)
    }

    /// The folder and file name of the disk's VHD.
    private static func file(_ harness: ToolstackHarness, _ session: RPCValue, _ vdi: RPCValue) async throws -> (VHDFolder, String) {
        let sr = try await harness.value("VDI.get_SR", session, vdi)
        let services = harness.toolstack.services
        let folder = try #require(services.vhdFolder(of: Ref(sr.stringValue!), in: services.database.snapshot))
        return (folder, try #require(try await harness.value("VDI.get_location", session, vdi).stringValue))
    }

    /// Writes `fill` into the disk at `offset`, as a guest would.
    private static func write(_ harness: ToolstackHarness, _ session: RPCValue, _ vdi: RPCValue, at offset: Int64, fill: UInt8) async throws {
        let (folder, location) = try await file(harness, session, vdi)
        let writer = try VHDWriter.open(path: folder.file(location))
        try [UInt8](repeating: fill, count: 4096).withUnsafeBytes { try writer.write(at: offset, $0) }
        try writer.close()
    }

    /// The whole disk the guest sees.
    private static func content(_ harness: ToolstackHarness, _ session: RPCValue, _ vdi: RPCValue) async throws -> [UInt8] {
        let (folder, location) = try await file(harness, session, vdi)
        let chain = try folder.chain(location)
        var bytes = [UInt8](repeating: 0, count: Int(chain.virtualSize))
        try bytes.withUnsafeMutableBytes { try chain.read(at: 0, into: $0) }
        return bytes
    }

    private static func diskOf(_ harness: ToolstackHarness, _ session: RPCValue, _ vm: RPCValue) async throws -> RPCValue {
        for vbd in try await harness.value("VM.get_VBDs", session, vm).arrayValue ?? [] {
            if try await harness.value("VBD.get_type", session, vbd) == "Disk" { return try await harness.value("VBD.get_VDI", session, vbd) }
        }
        throw XenAPIError.internalError(message: "no disk")
    }

    @Test("VDI.create makes a VHD file of the rounded size; the SR's sizes are real; destroy deletes it and its drives")
    func createAndDestroy() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let sr = try await Self.localSR(harness, session)
            let vdi = try await Self.makeDisk(harness, session, sr: sr, size: 5 * Self.mib + 1)
            let record = try await harness.value("VDI.get_record", session, vdi)
            #expect(record["virtual_size"] == .int(6 * Self.mib))
            let (folder, location) = try await Self.file(harness, session, vdi)
            #expect(location == record["uuid"]?.stringValue)
            #expect(try folder.facts(location).virtualSize == 6 * Self.mib)
            #expect(record["physical_utilisation"] == .int(try folder.facts(location).physicalSize))
            let srRecord = try await harness.value("SR.get_record", session, sr)
            guard case .int(let size) = srRecord["physical_size"], case .int(let used) = srRecord["physical_utilisation"] else {
                Issue.record("SR sizes missing")
                return
            }
            let fileSize = try folder.facts(location).physicalSize
            #expect(size > used && used >= fileSize)
            #expect(srRecord["virtual_allocation"] == .int(6 * Self.mib))

            let vm = try await makeVM(harness, session)
            try await Self.attach(harness, session, vm: vm, vdi: vdi)
            #expect(try await harness.value("VDI.get_allowed_operations", session, vdi).arrayValue?.contains("destroy") == true)
            #expect(try await harness.value("SR.get_allowed_operations", session, sr).arrayValue?.contains("vdi_create") == true)
            _ = try await harness.value("VM.start", session, vm, false, false)
            #expect(try await harness.value("VDI.get_allowed_operations", session, vdi).arrayValue?.contains("destroy") == false)
            #expect(await harness.call("VDI.destroy", session, vdi) == .failure(["VDI_IN_USE", vdi.stringValue!, "destroy"]))
            _ = try await harness.value("VM.hard_shutdown", session, vm)
            _ = try await harness.value("VDI.destroy", session, vdi)
            #expect(!folder.exists(location))
            #expect(try await harness.value("VM.get_VBDs", session, vm).arrayValue?.isEmpty == true)
            #expect(await harness.call("VDI.create", session, ["SR": "OpaqueRef:nonsense", "virtual_size": "1", "type": "user"]) ==
                .failure(["HANDLE_INVALID", "SR", "OpaqueRef:nonsense"]))
            var tooBig = VDI()
            tooBig.sr = Ref(sr.stringValue!)
            tooBig.virtualSize = VHDFolder.maximumSize + 1
            #expect(await harness.call("VDI.create", session, tooBig.rpcValue) == .failure(["SR_BACKEND_FAILURE_79", "", "VDI Invalid size", ""]))
        }
    }

    @Test("VM.clone is copy-on-write: ten clones of clones make a chain; VM.copy collapses it with the same content")
    func cloneChainAndCopy() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let sr = try await Self.localSR(harness, session)
            var vm = try await makeVM(harness, session, name: "gen0")
            let disk = try await Self.makeDisk(harness, session, sr: sr, size: 16 * Self.mib)
            try await Self.attach(harness, session, vm: vm, vdi: disk)
            for generation in 1...10 {
                try await Self.write(harness, session, try await Self.diskOf(harness, session, vm), at: Int64(generation) * Self.mib, fill: UInt8(generation))
                vm = try await harness.value("VM.clone", session, vm, .string("gen\(generation)"))
            }
            let last = try await Self.diskOf(harness, session, vm)
            let (folder, location) = try await Self.file(harness, session, last)
            #expect(try folder.chainDepth(location) == 11)
            let bases = try await harness.value("VDI.get_all_records_where", session, #"field "name__label"="base copy""#)
            #expect(bases.structureValue?.count == 10)
            #expect(bases.structureValue?.values.allSatisfy { $0["read_only"] == true && $0["managed"] == false } == true)
            let content = try await Self.content(harness, session, last)
            for generation in 1...10 { #expect(content[generation << 20] == UInt8(generation)) }

            let copy = try await harness.value("VM.copy", session, vm, "flat", .string("OpaqueRef:NULL"))
            let copied = try await Self.diskOf(harness, session, copy)
            let (_, copiedLocation) = try await Self.file(harness, session, copied)
            #expect(try folder.chainDepth(copiedLocation) == 1)
            #expect(try await Self.content(harness, session, copied) == content)
            #expect(try await harness.value("VDI.get_sm_config", session, copied)["vhd-parent"] == nil)
        }
    }

    @Test("a snapshot keeps the disk as it was; revert puts the VM back on a clone of it")
    func snapshotAndRevert() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let sr = try await Self.localSR(harness, session)
            let vm = try await makeVM(harness, session)
            let disk = try await Self.makeDisk(harness, session, sr: sr, size: 8 * Self.mib, name: "system")
            try await Self.attach(harness, session, vm: vm, vdi: disk)
            try await Self.write(harness, session, disk, at: 0, fill: 0xAA)
            let before = try await Self.content(harness, session, disk)
            let snapshot = try await harness.value("VM.snapshot", session, vm, "before")
            let snapDisk = try await Self.diskOf(harness, session, snapshot)
            #expect(try await harness.value("VDI.get_is_a_snapshot", session, snapDisk) == true)
            #expect(try await harness.value("VDI.get_snapshot_of", session, snapDisk) == disk)
            try await Self.write(harness, session, disk, at: 0, fill: 0xBB)
            _ = try await harness.value("VM.set_VCPUs_at_startup", session, vm, .string("1"))
            #expect(try await Self.content(harness, session, disk) != before)
            #expect(try await Self.content(harness, session, snapDisk) == before)

            _ = try await harness.value("VM.revert", session, snapshot)
            let reverted = try await Self.diskOf(harness, session, vm)
            #expect(reverted != disk)
            #expect(await harness.call("VDI.get_uuid", session, disk) == .failure(["HANDLE_INVALID", "VDI", disk.stringValue!]))
            #expect(try await Self.content(harness, session, reverted) == before)
            #expect(try await harness.value("VDI.get_name_label", session, reverted) == "system")
            #expect(try await harness.value("VM.get_VCPUs_at_startup", session, vm) == .int(2))
            #expect(await harness.call("VM.snapshot_with_quiesce", session, vm, "q") ==
                .failure(["VM_BAD_POWER_STATE", vm.stringValue!, "running", "halted"]))
            _ = try await harness.value("VM.start", session, vm, false, false)
            #expect(await harness.call("VM.snapshot_with_quiesce", session, vm, "q") ==
                .failure(["VM_SNAPSHOT_WITH_QUIESCE_NOT_SUPPORTED", vm.stringValue!]))
        }
    }

    @Test("deleting a snapshot lets the garbage collector merge its disk's chain back into one file; records follow")
    func garbageCollection() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let sr = try await Self.localSR(harness, session)
            let disk = try await Self.makeDisk(harness, session, sr: sr, size: 8 * Self.mib)
            try await Self.write(harness, session, disk, at: 0, fill: 0x42)
            let snapshot = try await harness.value("VDI.snapshot", session, disk, [:])
            try await Self.write(harness, session, disk, at: 4 * Self.mib, fill: 0x43)
            let content = try await Self.content(harness, session, disk)
            let (folder, location) = try await Self.file(harness, session, disk)
            #expect(try folder.chainDepth(location) == 2)
            _ = try await harness.value("VDI.destroy", session, snapshot)
            // The collector starts once the destroy has settled.
            await harness.seeded.settle()
            harness.seeded.advance(by: GarbageCollection.settle)
            await harness.seeded.settle()
            #expect(try folder.chainDepth(location) == 1)
            #expect(try await Self.content(harness, session, disk) == content)
            #expect(try await harness.value("SR.get_VDIs", session, sr).arrayValue == [disk])
            #expect(try await harness.value("VDI.get_sm_config", session, disk)["vhd-parent"] == nil)
        }
    }

    @Test("a running guest's writes land in its disk: a snapshot holds them, later ones grow the leaf, and the collector folds it back")
    func guestWrites() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let vm = try await makeVM(harness, session)
            let disk = try await Self.makeDisk(harness, session, sr: try await Self.localSR(harness, session), size: 16 * Self.mib)
            try await Self.attach(harness, session, vm: vm, vdi: disk)
            _ = try await harness.value("VM.start", session, vm, false, false)
            let snapshot = try await harness.value("VM.snapshot", session, vm, "running")
            let snapDisk = try await Self.diskOf(harness, session, snapshot)
            let atSnapshot = try await Self.content(harness, session, snapDisk)
            #expect(atSnapshot.contains { $0 != 0 }, "the guest had written before the snapshot")
            #expect(try await Self.content(harness, session, disk) == atSnapshot)
            _ = try await harness.value("VM.hard_shutdown", session, vm)
            let after = try await Self.content(harness, session, disk)
            #expect(after != atSnapshot, "and wrote more before it stopped")
            let (folder, location) = try await Self.file(harness, session, disk)
            #expect(try folder.chainDepth(location) == 2)
            _ = try await harness.value("VDI.destroy", session, snapDisk)
            // The collector starts once the destroy has settled.
            await harness.seeded.settle()
            harness.seeded.advance(by: GarbageCollection.settle)
            await harness.seeded.settle()
            #expect(try folder.chainDepth(location) == 1)
            #expect(try await Self.content(harness, session, disk) == after)
        }
    }

    @Test("snapshots stop at SM's chain limit with its error")
    func chainLimit() async throws {
        let harness = try await ToolstackHarness()
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let sr = try await Self.localSR(harness, session)
            let disk = try await Self.makeDisk(harness, session, sr: sr, size: 2 * Self.mib)
            for step in 1..<VHDChain.maximumDepth {
                try await Self.write(harness, session, disk, at: 0, fill: UInt8(step))
                _ = try await harness.value("VDI.snapshot", session, disk, [:])
            }
            try await Self.write(harness, session, disk, at: 0, fill: 0xFF)
            #expect(await harness.call("VDI.clone", session, disk, [:]) == .failure(["SR_BACKEND_FAILURE_109", "", "The snapshot chain is too long", ""]))
        }
    }

    @Test("a clone interrupted before its records were written is undone at start-up; a recorded one is kept")
    func crashRecovery() async throws {
        let database = try PoolDatabase(persistence: MemoryPersistence())
        let first = try await ToolstackHarness(database: database)
        let saved = Mutex<(disk: RPCValue, content: [UInt8])>((.nil, []))
        try await first.run {
            let session = RPCValue.string(try await first.login())
            let disk = try await Self.makeDisk(first, session, sr: try await Self.localSR(first, session), size: 4 * Self.mib)
            try await Self.write(first, session, disk, at: 0, fill: 0x5A)
            let content = try await Self.content(first, session, disk)
            saved.withLock { $0 = (disk, content) }
            // The files of a clone whose records never made it: the crash came in between.
            let (folder, location) = try await Self.file(first, session, disk)
            _ = try folder.snapshot(location, base: "11111111-1111-4111-8111-111111111111", clones: ["22222222-2222-4222-8222-222222222222"], timestamp: 1)
        }
        let (disk, before) = saved.withLock { $0 }
        let second = try await ToolstackHarness(database: database, storageRoot: first.storageRoot)
        try await second.run {
            let session = RPCValue.string(try await second.login())
            let (folder, location) = try await Self.file(second, session, disk)
            #expect(try folder.scan().disks.map(\.uuid) == [location])
            #expect(try folder.pendingJournals().isEmpty)
            #expect(try await Self.content(second, session, disk) == before)
        }
    }

    @Test("SR.create on a folder introduces the disks it finds; scan forgets those whose files went; an ISO library lists only its images")
    func createAndScan() async throws {
        let harness = try await ToolstackHarness()
        let place = FileManager.default.temporaryDirectory.appendingPathComponent("swift-xapi-tests/\(UUID().uuidString)")
        let isoPlace = place.appendingPathComponent("isos")
        try FileManager.default.createDirectory(at: isoPlace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: place) }
        let existing = "33333333-3333-4333-8333-333333333333"
        try VHDWriter.createDynamic(path: place.path + "/\(existing).vhd", size: 4 << 20, uuid: existing, timestamp: 1).close()
        try Data(repeating: 1, count: 4096).write(to: isoPlace.appendingPathComponent("debian.iso"))
        try Data(repeating: 2, count: 512).write(to: isoPlace.appendingPathComponent("notes.txt"))
        try Data(repeating: 3, count: 512).write(to: place.appendingPathComponent("outside.iso"))
        try FileManager.default.createSymbolicLink(atPath: isoPlace.path + "/escape.iso", withDestinationPath: "../outside.iso")
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let host = try #require(try await harness.value("host.get_all", session).arrayValue?.first)
            let sr = try await harness.value(
                "SR.create", session, host, ["location": .string(place.path)], "0", "shared files", "", "file", "user", true, [:])
            let vdis = try await harness.value("SR.get_VDIs", session, sr).arrayValue ?? []
            #expect(vdis.count == 1)
            #expect(try await harness.value("VDI.get_uuid", session, vdis[0]) == .string(existing))
            #expect(await harness.call("SR.create", session, host, ["location": .string(place.path)], "0", "again", "", "file", "user", true, [:]) ==
                .failure(["SR_DEVICE_IN_USE"]))
            try FileManager.default.removeItem(atPath: place.path + "/\(existing).vhd")
            _ = try await harness.value("SR.scan", session, sr)
            #expect(try await harness.value("SR.get_VDIs", session, sr).arrayValue?.isEmpty == true)
            #expect(await harness.call("SR.forget", session, sr) == .failure(["SR_HAS_PBD", sr.stringValue!]))

            let library = try await harness.value(
                "SR.create", session, host, ["location": .string(isoPlace.path)], "0", "ISOs", "", "iso", "iso", true, [:])
            let images = try await harness.value("SR.get_VDIs", session, library).arrayValue ?? []
            #expect(images.count == 1)
            let image = try await harness.value("VDI.get_record", session, images[0])
            #expect(image["name_label"] == "debian.iso" && image["read_only"] == true && image["virtual_size"] == .int(4096))
            #expect(await harness.call("SR.create", session, host, ["location": "fileserver:/isos"], "0", "NFS ISOs", "", "iso", "iso", true, [:])
                .failureCode?.hasPrefix("SR_BACKEND_FAILURE") == true)
            #expect(try await harness.value("SR.get_all_records_where", session, #"field "name__label"="NFS ISOs""#).structureValue?.isEmpty == true)
            #expect(try await harness.value("SR.get_supported_types", session).arrayValue?.contains("nfs") == true)
        }
    }

    @Test("a VM whose disk is on a host's local storage is cloned only while that host is up, and the error names it")
    func localDiskNeedsItsHost() async throws {
        let harness = try await ToolstackHarness(hosts: 2)
        try await harness.run {
            let session = RPCValue.string(try await harness.login())
            let hosts = try await harness.value("host.get_all", session).arrayValue ?? []
            let other = hosts[1]
            let pbds = try await harness.value("host.get_PBDs", session, other).arrayValue ?? []
            let sr = try await harness.value("PBD.get_SR", session, pbds[0])
            let vm = try await makeVM(harness, session)
            try await Self.attach(harness, session, vm: vm, vdi: try await Self.makeDisk(harness, session, sr: sr, size: 2 * Self.mib))
            _ = try await harness.value("host.disable", session, other)
            _ = try await harness.value("host.shutdown", session, other)
            #expect(await harness.call("VM.clone", session, vm, "copy") == .failure(["HOST_OFFLINE", other.stringValue!]))
        }
    }
}

extension CallResult {
    /// The error code of a failure.
    var failureCode: String? {
        if case .failure(let description) = self { return description.first }
        return nil
    }
}
