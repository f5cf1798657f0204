import XenAPI
import XenDB

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

    static func reapTasks(_ tx: inout Transaction, now: DateTime) {
        var completed: [(ref: Ref<Task>, finished: DateTime)] = []
        for task in tx.snapshot.objects(Task.self) {
            if task.status == .pending || task.status == .cancelling {
                if now.secondsSinceEpoch - task.created.secondsSinceEpoch > pendingTaskLifetime { try? tx.delete(task.ref) }
                continue
            }
            if now.secondsSinceEpoch - task.finished.secondsSinceEpoch > completedTaskLifetime {
                try? tx.delete(task.ref)
            } else {
                completed.append((task.ref, task.finished))
            }
        }
        let excess = tx.snapshot.count(Task.className) - (maximumTasks - 1)
        if excess > 0 {
            for victim in completed.sorted(by: { ($0.finished, $0.ref) < ($1.finished, $1.ref) }).prefix(excess) {
                try? tx.delete(victim.ref)
            }
        }
    }

    /// Deletes idle and excess sessions; returns the refs it deleted.
    @discardableResult
    static func reapSessions(_ tx: inout Transaction, now: DateTime) -> [Ref<Session>] {
        var reaped: [Ref<Session>] = []
        var anonymous: [(ref: Ref<Session>, lastActive: DateTime)] = []
        for session in tx.snapshot.objects(Session.self) {
            if now.secondsSinceEpoch - session.lastActive.secondsSinceEpoch > sessionIdleLifetime {
                if (try? tx.delete(session.ref)) != nil { reaped.append(session.ref) }
            } else if session.originator.isEmpty {
                anonymous.append((session.ref, session.lastActive))
            }
        }
        let excess = anonymous.count - (maximumSessions - 1)
        if excess > 0 {
            for victim in anonymous.sorted(by: { ($0.lastActive, $0.ref) < ($1.lastActive, $1.ref) }).prefix(excess) {
                if (try? tx.delete(victim.ref)) != nil { reaped.append(victim.ref) }
            }
        }
        return reaped
    }
}
