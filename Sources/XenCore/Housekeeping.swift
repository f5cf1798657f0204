import XenAPI
import XenDB
import XenRPC

/// xapi's garbage collection of sessions and tasks (`db_gc_util.ml`), run inside the writes that
/// would otherwise grow the tables, so the tables stay bounded without a timer.
enum Housekeeping {
    /// Completed tasks live 65 minutes, pending ones 24 hours; at most 200 are kept.
    static let completedTaskLifetime: Int64 = 3900
    static let pendingTaskLifetime: Int64 = 86_400
    static let maximumTasks = 200
    /// Idle sessions live 24 hours; at most 400 without an originator are kept.
    static let sessionIdleLifetime: Int64 = 86_400
    static let maximumSessions = 400
    /// `last_active` is rewritten at most this often (xapi's `threshold_last_active`).
    static let lastActiveRefreshInterval: Int64 = 600

    static func reapTasks(_ tx: inout Transaction, now: Int64) {
        let snapshot = tx.snapshot
        var completed: [(ref: String, finished: Int64)] = []
        for ref in snapshot.refs("task") {
            let status = snapshot.value("task", ref, "status")?.stringValue ?? "pending"
            let created = snapshot.value("task", ref, "created")?.epochSeconds ?? 0
            if status == "pending" || status == "cancelling" {
                if now - created > pendingTaskLifetime { try? tx.delete("task", ref: ref) }
                continue
            }
            let finished = snapshot.value("task", ref, "finished")?.epochSeconds ?? 0
            if now - finished > completedTaskLifetime { try? tx.delete("task", ref: ref) } else {
                completed.append((ref, finished))
            }
        }
        let excess = tx.snapshot.count("task") - (maximumTasks - 1)
        if excess > 0 {
            for victim in completed.sorted(by: { ($0.finished, $0.ref) < ($1.finished, $1.ref) }).prefix(excess) {
                try? tx.delete("task", ref: victim.ref)
            }
        }
    }

    /// Deletes idle and excess sessions; returns the refs it deleted.
    @discardableResult
    static func reapSessions(_ tx: inout Transaction, now: Int64) -> [String] {
        var reaped: [String] = []
        let snapshot = tx.snapshot
        var anonymous: [(ref: String, lastActive: Int64)] = []
        for ref in snapshot.refs("session") {
            let lastActive = snapshot.value("session", ref, "last_active")?.epochSeconds ?? 0
            if now - lastActive > sessionIdleLifetime {
                if (try? tx.delete("session", ref: ref)) != nil { reaped.append(ref) }
            } else if snapshot.value("session", ref, "originator")?.stringValue?.isEmpty ?? true {
                anonymous.append((ref, lastActive))
            }
        }
        let excess = anonymous.count - (maximumSessions - 1)
        if excess > 0 {
            for victim in anonymous.sorted(by: { ($0.lastActive, $0.ref) < ($1.lastActive, $1.ref) }).prefix(excess) {
                if (try? tx.delete("session", ref: victim.ref)) != nil { reaped.append(victim.ref) }
            }
        }
        return reaped
    }
}
