import Foundation

/// A file SR's folder, kept as SM's `FileSR` keeps `/run/sr-mount/<sr-uuid>`: one `<uuid>.vhd`
/// per VDI (base copies too), each differencing disk naming its parent relatively, and a
/// journal folder for the operations in progress (`StorageJournal`).
public struct VHDFolder: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The smallest and largest disk SM makes.
    public static let minimumSize = Int64(VHDLayout.blockSize)
    public static let maximumSize = VHDLayout.maximumSize

    /// A requested size rounded up to 2 MiB (at least 2 MiB), as SM rounds it; `nil` past 2040 GiB.
    public static func roundedSize(_ size: Int64) -> Int64? {
        let block = Int64(VHDLayout.blockSize)
        guard size >= 0, size <= maximumSize else { return nil }
        return max(block, (size + block - 1) / block * block)
    }

    /// The VHD epoch's seconds for a Unix time.
    public static func timestamp(unixSeconds: Int64) -> UInt32 {
        UInt32(clamping: max(0, unixSeconds - VHDFormat.epochOffset))
    }

    /// Where a VDI's file is.
    public func file(_ uuid: String) -> String { path + "/" + uuid + ".vhd" }

    private var journalFolder: String { path + "/.journal" }

    /// Where the files of destroyed VDIs wait to be deleted: moving a file there is one rename,
    /// deleting a large one can take the file system many milliseconds.
    private var trashFolder: String { path + "/.trash" }

    /// Makes the folder and its journal folder if they are missing.
    public func prepare() throws(VHDError) {
        do {
            try FileManager.default.createDirectory(atPath: journalFolder, withIntermediateDirectories: true)
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
    }

    public func exists(_ uuid: String) -> Bool { FileManager.default.fileExists(atPath: file(uuid)) }

    /// What the VDI's file says of itself.
    public func facts(_ uuid: String) throws(VHDError) -> VHDFacts { VHDFacts(uuid: uuid, image: try VHDImage(path: file(uuid))) }

    /// What a file this folder has just made empty says of itself, read from its header alone.
    private func emptyFacts(_ uuid: String) throws(VHDError) -> VHDFacts {
        VHDFacts(uuid: uuid, image: try VHDImage(path: file(uuid), readingTables: false))
    }

    /// Every VDI file in the folder (`<uuid>.vhd`), in name order; files that cannot be read are
    /// reported in `unreadable`.
    public func scan() throws(VHDError) -> (disks: [VHDFacts], unreadable: [String]) {
        try FolderLock.with(path) { () throws(VHDError) -> (disks: [VHDFacts], unreadable: [String]) in
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            } catch {
                throw .io(path: path, reason: "\(error)")
            }
            var disks: [VHDFacts] = []
            var unreadable: [String] = []
            for name in names where name.hasSuffix(".vhd") && !name.hasPrefix(".") {
                let uuid = String(name.dropLast(4))
                do throws(VHDError) {
                    disks.append(try facts(uuid))
                } catch {
                    unreadable.append(name)
                }
            }
            return (disks, unreadable)
        }
    }

    /// How many files the VDI's chain has (a disk without a parent is depth 1).
    public func chainDepth(_ uuid: String) throws(VHDError) -> Int {
        var depth = 1
        var current = try parent(of: uuid)
        while let parent = current, depth <= VHDChain.maximumDepth {
            current = try self.parent(of: parent)
            depth += 1
        }
        return depth
    }

    /// The VDI's parent's uuid, read from its header alone.
    func parent(of uuid: String) throws(VHDError) -> String? {
        let image = try VHDImage(path: file(uuid), readingTables: false)
        guard image.footer.diskType == .differencing, let name = image.header?.parentName, name.hasSuffix(".vhd") else { return nil }
        return String(name.dropLast(4))
    }

    /// The VDI's content: its file and its parents'.
    public func chain(_ uuid: String) throws(VHDError) -> VHDChain { try VHDChain(path: file(uuid)) }

    /// A new empty dynamic disk, journalled as `.create` until `finish`.
    public func create(uuid: String, size: Int64, timestamp: UInt32) throws(VHDError) -> VHDFacts {
        try FolderLock.with(path) { () throws(VHDError) -> VHDFacts in
            try begin(.create(vdi: uuid))
            do throws(VHDError) {
                try VHDWriter.createDynamic(path: file(uuid), size: size, uuid: uuid, timestamp: timestamp).close()
                return try facts(uuid)
            } catch {
                try? rollBack(.create(vdi: uuid))
                throw error
            }
        }
    }

    /// A new dynamic disk with `chain`'s content (a full copy that collapses the chain),
    /// journalled as `.create` until `finish`.
    public func copy(_ chain: VHDChain, uuid: String, timestamp: UInt32) throws(VHDError) -> VHDFacts {
        try FolderLock.with(path) { () throws(VHDError) -> VHDFacts in
            try begin(.create(vdi: uuid))
            do throws(VHDError) {
                try VHDCopy.flatten(chain, to: file(uuid), uuid: uuid, timestamp: timestamp)
                return try facts(uuid)
            } catch {
                try? rollBack(.create(vdi: uuid))
                throw error
            }
        }
    }

    /// What a double snapshot made.
    public struct SnapshotFiles: Sendable {
        /// The hidden base copy now holding the VDI's content; `nil` when the VDI was an empty
        /// child and the clones were made beside it instead.
        public var base: VHDFacts?
        /// The VDI itself, now an empty child of the base.
        public var leaf: VHDFacts
        public var clones: [VHDFacts]
        public var journal: StorageJournal
    }

    /// SM's double snapshot: the VDI's file becomes the hidden base copy `base` (a hard link,
    /// so the VDI's name never points nowhere), the VDI becomes a new empty child of it, and each
    /// of `clones` a second child. A VDI that is an empty differencing disk is not deepened: the
    /// clones become children of its parent. Journalled as `.snapshot` until `finish`.
    public func snapshot(_ vdi: String, base: String, clones: [String], timestamp: UInt32) throws(VHDError) -> SnapshotFiles {
        try FolderLock.with(path) { () throws(VHDError) -> SnapshotFiles in
            let original = try facts(vdi)
            if let parent = original.parent, original.allocatedBlocks == 0 {
                let journal = StorageJournal.snapshot(vdi: vdi, base: nil, clones: clones)
                try begin(journal)
                do throws(VHDError) {
                    let parentImage = try VHDImage(path: file(parent), readingTables: false)
                    let made = try clones.map { (clone: String) throws(VHDError) -> VHDFacts in
                        try VHDWriter.createDifferencing(
                            path: file(clone), parent: parentImage, uuid: clone, timestamp: timestamp,
                            parentTimestamp: timestamp, size: original.virtualSize
                        ).close()
                        return try emptyFacts(clone)
                    }
                    return SnapshotFiles(base: nil, leaf: original, clones: made, journal: journal)
                } catch {
                    try? rollBack(journal)
                    throw error
                }
            }
            let journal = StorageJournal.snapshot(vdi: vdi, base: base, clones: clones)
            try begin(journal)
            do throws(VHDError) {
                try system("link", file(vdi)) { link(file(vdi), file(base)) }
                let baseImage = try VHDImage(path: file(base), readingTables: false)
                let fresh = file(vdi) + ".new"
                try? FileManager.default.removeItem(atPath: fresh)
                try VHDWriter.createDifferencing(path: fresh, parent: baseImage, uuid: vdi, timestamp: timestamp, parentTimestamp: timestamp).close()
                try system("rename", fresh) { rename(fresh, file(vdi)) }
                let made = try clones.map { (clone: String) throws(VHDError) -> VHDFacts in
                    try VHDWriter.createDifferencing(
                        path: file(clone), parent: baseImage, uuid: clone, timestamp: timestamp, parentTimestamp: timestamp
                    ).close()
                    return try emptyFacts(clone)
                }
                try VHDWriter.setHidden(true, path: file(base))
                try syncFolder()
                var baseFacts = original
                baseFacts.uuid = base
                baseFacts.hidden = true
                return SnapshotFiles(base: baseFacts, leaf: try emptyFacts(vdi), clones: made, journal: journal)
            } catch {
                try? rollBack(journal)
                throw error
            }
        }
    }

    /// Grows the VDI to `size` (a multiple of 2 MiB): its file is rewritten at the new size,
    /// same uuid and parent, with the sectors it holds, then renamed over the old one.
    public func resize(_ uuid: String, to size: Int64, timestamp: UInt32) throws(VHDError) -> VHDFacts {
        try FolderLock.with(path) { () throws(VHDError) -> VHDFacts in
            let image = try VHDImage(path: file(uuid))
            let fresh = file(uuid) + ".resize"
            try? FileManager.default.removeItem(atPath: fresh)
            do throws(VHDError) {
                let writer: VHDWriter
                if image.footer.diskType == .differencing, let parent = try facts(uuid).parent {
                    writer = try VHDWriter.createDifferencing(
                        path: fresh, parent: try VHDImage(path: file(parent)), uuid: image.footer.uuid, timestamp: timestamp,
                        parentTimestamp: image.header?.parentTimestamp ?? timestamp, size: size)
                } else {
                    writer = try VHDWriter.createDynamic(path: fresh, size: size, uuid: image.footer.uuid, timestamp: timestamp)
                }
                try VHDSectorCopy.copyAllocated(from: image, into: writer)
                if image.footer.hidden != 0 { try writer.setHidden(true) }
                try writer.close()
                try system("rename", fresh) { rename(fresh, file(uuid)) }
                try syncFolder()
                return try facts(uuid)
            } catch {
                try? FileManager.default.removeItem(atPath: fresh)
                throw error
            }
        }
    }

    /// Writes `data` (whole sectors) into the VDI's own file at `offset` of the disk, as its
    /// guest would; returns what the file says of itself afterwards.
    public func write(_ uuid: String, at offset: Int64, _ data: [UInt8]) throws(VHDError) -> VHDFacts {
        try FolderLock.with(path) { () throws(VHDError) -> VHDFacts in
            let writer = try VHDWriter.open(path: file(uuid))
            do throws(VHDError) {
                var failure: VHDError?
                data.withUnsafeBytes { bytes in
                    do throws(VHDError) { try writer.write(at: offset, bytes) } catch { failure = error }
                }
                if let failure { throw failure }
                try writer.close()
            } catch {
                try? writer.close()
                throw error
            }
            return try facts(uuid)
        }
    }

    /// Journals the removal of a VDI's file; the file goes at `finish`, after its record.
    public func beginDestroy(_ uuid: String) throws(VHDError) -> StorageJournal {
        try FolderLock.with(path) { () throws(VHDError) -> StorageJournal in
            let journal = StorageJournal.destroy(vdi: uuid)
            try begin(journal)
            return journal
        }
    }

    /// Removes a file no record names (a hidden leaf the garbage collector prunes).
    public func remove(_ uuid: String) throws(VHDError) {
        try FolderLock.with(path) { () throws(VHDError) in
            try system("unlink", file(uuid)) { unlink(file(uuid)) == 0 || errno == ENOENT ? 0 : -1 }
        }
    }

    /// Moves a destroyed VDI's file out of the folder into its trash, for `emptyTrash`.
    func discard(_ uuid: String) throws(VHDError) {
        guard FileManager.default.fileExists(atPath: file(uuid)) else { return }
        do {
            try FileManager.default.createDirectory(atPath: trashFolder, withIntermediateDirectories: true)
        } catch {
            throw .io(path: trashFolder, reason: "\(error)")
        }
        let target = trashFolder + "/" + uuid + ".vhd"
        try system("rename", file(uuid)) { rename(file(uuid), target) }
    }

    /// Deletes the files of destroyed VDIs (what the garbage collector does first).
    public func emptyTrash() throws(VHDError) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: trashFolder) else { return }
        for name in names {
            let target = trashFolder + "/" + name
            try system("unlink", target) { unlink(target) == 0 || errno == ENOENT ? 0 : -1 }
        }
    }

    /// Deletes the folder and every file in it (`SR.destroy` of a host's local SR).
    public func removeAll() throws(VHDError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
    }

    /// The operations journalled and not yet finished or undone.
    public func pendingJournals() throws(VHDError) -> [StorageJournal] {
        try FolderLock.with(path) { () throws(VHDError) -> [StorageJournal] in
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: journalFolder) else { return [] }
            return names.sorted().compactMap { name in
                (try? String(contentsOfFile: journalFolder + "/" + name, encoding: .utf8)).flatMap(StorageJournal.init(text:))
            }
        }
    }

    /// Completes a journalled operation the database has recorded, and forgets the journal.
    public func finish(_ journal: StorageJournal) throws(VHDError) {
        try FolderLock.with(path) { () throws(VHDError) in
            switch journal {
            case .create: break
            case .destroy(let vdi):
                // A disk others are built on stays, hidden, for the garbage collector.
                if try scan().disks.contains(where: { $0.parent == vdi }) {
                    let writer = try VHDWriter.open(path: file(vdi))
                    try writer.setHidden(true)
                    try writer.close()
                } else {
                    try discard(vdi)
                }
            case .snapshot(_, let base?, _):
                let writer = try VHDWriter.open(path: file(base))
                try writer.setHidden(true)
                try writer.close()
            case .snapshot: break
            case .coalesce, .leafCoalesce: try VHDGarbageCollector(folder: self).redo(journal)
            }
            try end(journal)
        }
    }

    /// Undoes a journalled operation the database has not recorded, and forgets the journal.
    public func rollBack(_ journal: StorageJournal) throws(VHDError) {
        try FolderLock.with(path) { () throws(VHDError) in
            switch journal {
            case .create(let vdi): try remove(vdi)
            case .destroy: break
            case .snapshot(let vdi, let base, let clones):
                for clone in clones { try remove(clone) }
                try? FileManager.default.removeItem(atPath: file(vdi) + ".new")
                if let base, FileManager.default.fileExists(atPath: file(base)) {
                    if (try? facts(vdi))?.parent == base {
                        let writer = try VHDWriter.open(path: file(base))
                        try writer.setHidden(false)
                        try writer.close()
                        try system("rename", file(base)) { rename(file(base), file(vdi)) }
                    } else {
                        try remove(base)
                    }
                }
            case .coalesce, .leafCoalesce: try VHDGarbageCollector(folder: self).redo(journal)
            }
            try end(journal)
        }
    }

    /// The bytes the folder's VDI files take, and the bytes its file system has free.
    public func space() throws(VHDError) -> (used: Int64, available: Int64) {
        var used: Int64 = 0
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for name in names where name.hasSuffix(".vhd") {
            used += ((try? FileManager.default.attributesOfItem(atPath: path + "/" + name))?[.size] as? NSNumber)?.int64Value ?? 0
        }
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { throw .io(path: path, reason: "statvfs: errno \(errno)") }
        return (used, Int64(stats.f_bavail) * Int64(stats.f_frsize))
    }

    func begin(_ journal: StorageJournal) throws(VHDError) {
        let target = journalFolder + "/" + journal.name
        do {
            try Data(journal.text.utf8).write(to: URL(fileURLWithPath: target), options: .atomic)
        } catch {
            throw .io(path: target, reason: "\(error)")
        }
        try syncFolder()
    }

    func end(_ journal: StorageJournal) throws(VHDError) {
        try syncFolder()
        let target = journalFolder + "/" + journal.name
        try system("unlink", target) { unlink(target) == 0 || errno == ENOENT ? 0 : -1 }
    }

    /// Makes renames and links in the folder durable.
    func syncFolder() throws(VHDError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else { throw .io(path: path, reason: "open: errno \(errno)") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .io(path: path, reason: "fsync: errno \(errno)") }
    }

    func system(_ call: String, _ target: String, _ body: () -> Int32) throws(VHDError) {
        guard body() == 0 else { throw .io(path: target, reason: "\(call): errno \(errno)") }
    }
}
