/// One storage operation in progress in a file SR, written to the SR's journal folder before
/// its first file changes and removed once the pool database has recorded it. After a crash,
/// the operations still journalled are finished if the database recorded them and undone if
/// not, so files and records agree again.
public enum StorageJournal: Sendable, Hashable {
    /// A new VDI file (create, copy, import).
    case create(vdi: String)
    /// A VDI file removed once its record is gone.
    case destroy(vdi: String)
    /// A double snapshot of `vdi`: its content moved to the hidden `base` (absent when `vdi`
    /// was an empty child, snapshotted beside it instead), and `clones` made over it.
    case snapshot(vdi: String, base: String?, clones: [String])
    /// The garbage collector merging the hidden `node` into its only-child-having `parent`.
    case coalesce(node: String, parent: String)
    /// The garbage collector merging the visible `leaf` into its hidden `parent`, which then
    /// takes the leaf's name.
    case leafCoalesce(leaf: String, parent: String)

    /// Whether the database recorded the operation, given which VDI uuids it holds.
    public func isCommitted(knownVDI: (String) -> Bool) -> Bool {
        switch self {
        case .create(let vdi): knownVDI(vdi)
        case .destroy(let vdi): !knownVDI(vdi)
        case .snapshot(_, let base, let clones): (clones.first ?? base).map(knownVDI) ?? true
        // The collector's work changes no content any disk shows: it is always finished.
        case .coalesce, .leafCoalesce: true
        }
    }

    /// The journal's name in the SR's journal folder.
    var name: String {
        switch self {
        case .create(let vdi): "create-\(vdi)"
        case .destroy(let vdi): "destroy-\(vdi)"
        // Unique per operation: a journal another incarnation finished must never name this one.
        case .snapshot(let vdi, let base, let clones): "snapshot-\(vdi)-\(base ?? clones.first ?? "")"
        case .coalesce(let node, _): "coalesce-\(node)"
        case .leafCoalesce(let leaf, _): "leaf-coalesce-\(leaf)"
        }
    }

    /// One line: the kind, then uuids (`-` for no base).
    var text: String {
        switch self {
        case .create(let vdi): "create \(vdi)\n"
        case .destroy(let vdi): "destroy \(vdi)\n"
        case .snapshot(let vdi, let base, let clones): (["snapshot", vdi, base ?? "-"] + clones).joined(separator: " ") + "\n"
        case .coalesce(let node, let parent): "coalesce \(node) \(parent)\n"
        case .leafCoalesce(let leaf, let parent): "leaf-coalesce \(leaf) \(parent)\n"
        }
    }

    init?(text: String) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        switch words.first {
        case "create" where words.count == 2: self = .create(vdi: words[1])
        case "destroy" where words.count == 2: self = .destroy(vdi: words[1])
        case "coalesce" where words.count == 3: self = .coalesce(node: words[1], parent: words[2])
        case "leaf-coalesce" where words.count == 3: self = .leafCoalesce(leaf: words[1], parent: words[2])
        case "snapshot" where words.count >= 3:
            self = .snapshot(vdi: words[1], base: words[2] == "-" ? nil : words[2], clones: Array(words.dropFirst(3)))
        default: return nil
        }
    }
}

extension StorageJournal {
    /// Every VDI file the operation touches.
    public var uuids: [String] {
        switch self {
        case .create(let vdi), .destroy(let vdi): [vdi]
        case .snapshot(let vdi, let base, let clones): [vdi] + (base.map { [$0] } ?? []) + clones
        case .coalesce(let node, let parent): [node, parent]
        case .leafCoalesce(let leaf, let parent): [leaf, parent]
        }
    }
}
