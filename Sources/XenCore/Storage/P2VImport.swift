import Foundation
public import XenAPI
import XenDB
import XenRPC
public import XenStorage

/// A physical machine made into a VM, the guide's way in for existing machines: a VM installed
/// from a template without the template's disks, one new disk in the chosen SR, bootable as
/// device 0, and a network interface on the management network. The machine comes as an image
/// of its disk (raw, or a dynamic VHD), written into the new disk, or as a tarball of its root
/// filesystem, made into an ext4 filesystem spanning the new disk. A bad or truncated image
/// leaves nothing behind.
public struct P2VImport: Sendable {
    let calls: ImportCalls
    var services: CoreServices { calls.services }

    public init(toolstack: Toolstack, session: String) {
        self.calls = ImportCalls(toolstack: toolstack, session: session)
    }

    /// How the machine is sent.
    public enum Format: String, Sendable, CaseIterable {
        /// A raw image of its disk.
        case raw
        /// A dynamic VHD of its disk.
        case vhd
        /// A tarball of its root filesystem.
        case tar
    }

    /// What to make: from which template, named how, on which SR; the image's format and
    /// length (`Content-Length`).
    public struct Options: Sendable {
        public var template: String
        public var name: String
        public var sr: String?
        public var format: Format
        public var length: Int64

        public init(template: String, name: String, sr: String?, format: Format, length: Int64) {
            self.template = template
            self.name = name
            self.sr = sr
            self.format = format
            self.length = length
        }
    }

    /// Imports the image read from `reader`; returns the new VM's ref.
    public func run(_ reader: ByteStreamReader, options: Options, progress: @escaping (Double) async -> Void) async throws(XenAPIError) -> String {
        var made: [(String, String)] = []
        do {
            return try await importing(reader, options: options, made: &made, progress: progress)
        } catch {
            await calls.undo(made)
            throw XVAImport.apiError(error)
        }
    }

    private func importing(
        _ reader: ByteStreamReader, options: Options, made: inout [(String, String)], progress: @escaping (Double) async -> Void
    ) async throws -> String {
        guard options.format == .tar else {
            return try await importing(disk: reader, options: options, made: &made, progress: progress)
        }
        // The tarball is unpacked and made into a filesystem image beside the SR's disks, in a
        // folder removed whatever happens.
        let snapshot = services.database.snapshot
        let sr = try calls.targetSR(options.sr)
        guard let folder = services.vhdFolder(of: Ref(sr), in: snapshot) else {
            throw XenAPIError.importError(msg: "the SR keeps no files")
        }
        let stage = folder.path + "/.p2v-" + services.environment.makeUUID()
        defer { try? FileManager.default.removeItem(atPath: stage) }
        try FileManager.default.createDirectory(atPath: stage + "/tree", withIntermediateDirectories: true)
        let tarball = stage + "/rootfs.tar"
        guard FileManager.default.createFile(atPath: tarball, contents: nil), let file = FileHandle(forWritingAtPath: tarball) else {
            throw XenAPIError.importError(msg: "cannot write \(tarball)")
        }
        var source = reader
        var received: Int64 = 0
        do {
            while true {
                let piece = try await source.read(upTo: 1 << 20)
                if piece.isEmpty { break }
                try file.write(contentsOf: piece)
                received += Int64(piece.count)
                await progress(0.4 * Double(received) / Double(max(options.length, 1)))
            }
            try file.close()
        } catch {
            try? file.close()
            throw error
        }
        guard received == options.length, received > 0 else { throw VHDError.truncated(at: received) }
        let size = RootFilesystemImage.diskSize(forTarball: received)
        let image = stage + "/disk.img"
        do throws(RootFilesystemImage.Failure) {
            try RootFilesystemImage.make(
                tarball: tarball, tree: stage + "/tree", image: image, size: size, filesystemUUID: services.environment.makeUUID())
        } catch {
            switch error {
            case .notATarball(let said): throw XenAPIError.importError(msg: "not a tarball of a root filesystem: \(said)")
            case .filesystem(let said): throw XenAPIError.importError(msg: "mke2fs: \(said)")
            }
        }
        guard let disk = FileHandle(forReadingAtPath: image) else { throw XenAPIError.importError(msg: "cannot read \(image)") }
        defer { try? disk.close() }
        let diskReader = ByteStreamReader { try disk.read(upToCount: 2 << 20).map { Array($0) } }
        var asRaw = options
        asRaw.format = .raw
        asRaw.length = size
        asRaw.sr = sr
        return try await importing(disk: diskReader, options: asRaw, made: &made) { fraction in await progress(0.4 + 0.6 * fraction) }
    }

    /// The VM, its disk written from a raw or VHD image read from `reader`.
    private func importing(
        disk reader: ByteStreamReader, options: Options, made: inout [(String, String)], progress: @escaping (Double) async -> Void
    ) async throws -> String {
        var reader = reader
        var size = options.length
        var footer: [UInt8] = []
        if options.format == .vhd {
            // A dynamic VHD starts with a copy of its footer, which gives the disk's size.
            footer = try await reader.read(512)
            let parsed = try VHDFooter(parsing: footer[...])
            guard parsed.diskType != .fixed else {
                throw XenAPIError.importError(msg: "a fixed VHD cannot be streamed: send it as a raw image")
            }
            size = Int64(parsed.currentSize)
        }
        guard size > 0 else { throw XenAPIError.importError(msg: "the image is empty") }
        let snapshot = services.database.snapshot
        let templates = snapshot.objects(VM.self).filter {
            $0.isATemplate && !$0.isASnapshot && ($0.uuid == options.template || $0.nameLabel == options.template)
        }
        guard templates.count == 1, let template = templates.first else {
            throw XenAPIError.uuidInvalid(className: VM.className, uuid: options.template)
        }
        let sr = try calls.targetSR(options.sr)
        let vm = try await calls.call("VM.clone", .string(template.ref.rawValue), .string(options.name)).stringValue ?? ""
        made.append((VM.className, vm))
        // The image is the VM's disk: the template's own disks are not made.
        try await calls.call("VM.remove_from_other_config", .string(vm), "disks")
        try await calls.call("VM.set_name_description", .string(vm), "Imported physical machine")
        try await calls.call("VM.set_is_a_template", .string(vm), .bool(false))
        var disk = VDI()
        disk.nameLabel = "\(options.name) disk"
        disk.sr = Ref(sr)
        disk.virtualSize = size
        disk.type = .user
        let vdi = try await calls.call("VDI.create", disk.rpcValue).stringValue ?? ""
        made.append((VDI.className, vdi))
        var drive = VBD()
        drive.vm = Ref(vm)
        drive.vdi = Ref(vdi)
        drive.userdevice = "0"
        drive.bootable = true
        drive.mode = .rw
        drive.type = .disk
        drive.unpluggable = true
        try await calls.call("VBD.create", drive.rpcValue)
        let current = services.database.snapshot
        guard let record = current[Ref<VDI>(vdi)], let folder = services.vhdFolder(of: record.sr, in: current) else {
            throw XenAPIError.importError(msg: "the SR keeps no files")
        }
        let writer = try VHDWriter.open(path: folder.file(record.location))
        do {
            let total = Double(max(size, 1))
            if options.format == .vhd {
                reader.unread(footer)
                try await VHDImport.vhd(from: &reader, into: writer) { done in await progress(Double(done) / total) }
            } else {
                let written = try await VHDImport.raw(from: &reader, into: writer, holdsData: { _ in false }) { done in
                    await progress(Double(done) / total)
                }
                guard written == options.length else { throw VHDError.truncated(at: written) }
            }
            try writer.close()
        } catch {
            try? writer.close()
            throw error
        }
        // The guide's next step: a network interface, on the management network.
        if let network = current.objects(Network.self).first(where: { $0.bridge == PoolBootstrap.managementBridge }) {
            var interface = VIF()
            interface.vm = Ref(vm)
            interface.network = network.ref
            interface.device = "0"
            interface.mtu = 1500
            try await calls.call("VIF.create", interface.rpcValue)
        }
        await progress(1)
        return vm
    }
}
