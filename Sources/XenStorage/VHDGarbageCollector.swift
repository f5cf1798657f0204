import Foundation

/// SM's garbage collector (`cleanup.py`) for one VHD folder, in its three phases:
/// 1. prune: hidden leaves (base copies nothing is built on any more) are deleted;
/// 2. coalesce: a hidden node with children whose parent has no other child is merged into
///    that parent, its children re-parented and the node deleted (one per pass, in the tallest
///    tree first);
/// 3. leaf-coalesce: a visible leaf that is its hidden parent's only child is merged into the
///    parent, which then takes the leaf's name (so the VDI keeps its uuid).
/// Coalesces are journalled and only ever finished: each step leaves every visible disk's
/// content as it was, so a crash anywhere is repaired by doing the rest again (`redo`).
/// Disks named in other journals (operations in progress) and `busy` leaves (in use by a
/// running VM) are left alone.
public struct VHDGarbageCollector {
    public let folder: VHDFolder
    /// Leaves not to leaf-coalesce (plugged into running VMs, or opted out).
    public var busy: Set<String>
    /// Called at each step with its name; a test throws from it to simulate a crash there.
    var step: (String) throws(VHDError) -> Void

    public init(folder: VHDFolder, busy: Set<String> = []) {
        self.init(folder: folder, busy: busy, step: { _ throws(VHDError) in })
    }

    init(folder: VHDFolder, busy: Set<String> = [], step: @escaping (String) throws(VHDError) -> Void) {
        self.folder = folder
        self.busy = busy
        self.step = step
    }

    /// What one pass did.
    public enum Action: Sendable, Hashable {
        case pruned([String])
        case coalesced(node: String, into: String)
        case leafCoalesced(leaf: String, into: String)
    }

    /// Passes until nothing is left to do; returns what they did.
    @discardableResult
    public func run() throws(VHDError) -> [Action] {
        var actions: [Action] = []
        while let action = try pass() { actions.append(action) }
        return actions
    }

    /// One pass: all the garbage, else one coalesce, else one leaf-coalesce; `nil` if there is
    /// nothing to do.
    public func pass() throws(VHDError) -> Action? {
        try FolderLock.with(folder.path) { () throws(VHDError) -> Action? in
            let tree = try Tree(folder)
            let garbage = tree.garbage
            if !garbage.isEmpty {
                for uuid in garbage {
                    try folder.remove(uuid)
                    try step("pruned")
                }
                return .pruned(garbage)
            }
            if let (node, parent) = tree.coalesceable {
                try coalesce(node, into: parent)
                return .coalesced(node: node, into: parent)
            }
            if let (leaf, parent) = tree.leafCoalesceable(busy: busy) {
                try leafCoalesce(leaf, into: parent)
                return .leafCoalesced(leaf: leaf, into: parent)
            }
            return nil
        }
    }

    /// Finishes a journalled coalesce a crash interrupted.
    func redo(_ journal: StorageJournal) throws(VHDError) {
        switch journal {
        case .coalesce(let node, let parent): try coalesceSteps(node, into: parent)
        case .leafCoalesce(let leaf, let parent): try leafCoalesceSteps(leaf, into: parent)
        default: break
        }
    }

    private func coalesce(_ node: String, into parent: String) throws(VHDError) {
        let journal = StorageJournal.coalesce(node: node, parent: parent)
        try folder.begin(journal)
        try step("journalled")
        try coalesceSteps(node, into: parent)
        try folder.end(journal)
    }

    /// Each step may be done again: the node's sectors copied into the parent (the node shadows
    /// them for every child meanwhile), each child re-parented, the node deleted.
    private func coalesceSteps(_ node: String, into parent: String) throws(VHDError) {
        guard folder.exists(node), folder.exists(parent) else { return }
        try merge(node, into: parent)
        try step("copied")
        let parentImage = try VHDImage(path: folder.file(parent))
        for child in try folder.scan().disks where child.parent == node {
            let writer = try VHDWriter.open(path: folder.file(child.uuid))
            try writer.setParent(parentImage, parentTimestamp: parentImage.footer.timestamp)
            try writer.close()
            try step("relinked")
        }
        try folder.syncFolder()
        try folder.remove(node)
        try step("removed")
    }

    private func leafCoalesce(_ leaf: String, into parent: String) throws(VHDError) {
        let journal = StorageJournal.leafCoalesce(leaf: leaf, parent: parent)
        try folder.begin(journal)
        try step("journalled")
        try leafCoalesceSteps(leaf, into: parent)
        try folder.end(journal)
    }

    /// The leaf's sectors copied into the parent (the leaf shadows them meanwhile), the parent
    /// renamed over the leaf in one step, then shown.
    private func leafCoalesceSteps(_ leaf: String, into parent: String) throws(VHDError) {
        if folder.exists(parent), folder.exists(leaf) {
            try merge(leaf, into: parent)
            try step("copied")
            try folder.system("rename", folder.file(parent)) { rename(folder.file(parent), folder.file(leaf)) }
            try folder.syncFolder()
            try step("renamed")
        }
        guard folder.exists(leaf), try folder.facts(leaf).hidden else { return }
        let writer = try VHDWriter.open(path: folder.file(leaf))
        try writer.setHidden(false)
        try writer.close()
        try step("unhidden")
    }

    /// Copies `child`'s sectors into `parent`, growing the parent first if the child is larger.
    private func merge(_ child: String, into parent: String) throws(VHDError) {
        let childImage = try VHDImage(path: folder.file(child))
        if try folder.facts(parent).virtualSize < childImage.virtualSize {
            _ = try folder.resize(parent, to: childImage.virtualSize, timestamp: childImage.footer.timestamp)
        }
        let writer = try VHDWriter.open(path: folder.file(parent))
        do throws(VHDError) {
            try VHDSectorCopy.copyAllocated(from: childImage, into: writer)
            try writer.close()
        } catch {
            try? writer.close()
            throw error
        }
    }

    /// The folder's VHDs as trees, with what other operations hold.
    private struct Tree {
        var disks: [String: VHDFacts] = [:]
        var children: [String: [String]] = [:]
        var held: Set<String>

        init(_ folder: VHDFolder) throws(VHDError) {
            held = Set(try folder.pendingJournals().flatMap(\.uuids))
            for disk in try folder.scan().disks {
                disks[disk.uuid] = disk
                if let parent = disk.parent { children[parent, default: []].append(disk.uuid) }
            }
        }

        /// Hidden leaves, and hidden nodes all of whose descendants are garbage.
        var garbage: [String] {
            var found: Set<String> = []
            var changed = true
            while changed {
                changed = false
                for (uuid, disk) in disks where disk.hidden && !found.contains(uuid) && !held.contains(uuid) {
                    if (children[uuid] ?? []).allSatisfy(found.contains) {
                        found.insert(uuid)
                        changed = true
                    }
                }
            }
            return found.sorted()
        }

        /// How many files the tallest chain under `uuid` has.
        func height(_ uuid: String) -> Int { 1 + ((children[uuid] ?? []).map(height).max() ?? 0) }

        /// The root of `uuid`'s tree.
        func root(_ uuid: String) -> String {
            var current = uuid
            while let parent = disks[current]?.parent, disks[parent] != nil { current = parent }
            return current
        }

        var coalesceable: (String, String)? {
            let candidates = disks.values.filter { node in
                guard node.hidden, let parent = node.parent, let parentDisk = disks[parent], parentDisk.hidden,
                    !(children[node.uuid] ?? []).isEmpty, children[parent] == [node.uuid]
                else { return false }
                return !held.contains(node.uuid) && !held.contains(parent) && !(children[node.uuid] ?? []).contains(where: held.contains)
            }
            let chosen = candidates.max { a, b in
                let (ha, hb) = (height(root(a.uuid)), height(root(b.uuid)))
                return ha != hb ? ha < hb : a.uuid > b.uuid
            }
            return chosen.map { ($0.uuid, $0.parent!) }
        }

        func leafCoalesceable(busy: Set<String>) -> (String, String)? {
            disks.values.filter { leaf in
                guard !leaf.hidden, (children[leaf.uuid] ?? []).isEmpty, let parent = leaf.parent, let parentDisk = disks[parent],
                    parentDisk.hidden, children[parent] == [leaf.uuid]
                else { return false }
                return !busy.contains(leaf.uuid) && !held.contains(leaf.uuid) && !held.contains(parent)
            }.map { ($0.uuid, $0.parent!) }.min { $0.0 < $1.0 }
        }
    }
}
