import XenAPI
import Synchronization

/// The legacy `event.register`/`event.next` state: per session, what it subscribed to and the
/// generation its last `next` returned up to. Lives in memory, like xapi's queues.
final class EventQueues: Sendable {
    struct Queue: Sendable {
        var subscription: EventSubscription
        var lastGeneration: Int64
    }
    private let queues = Mutex<[Ref<Session>: Queue]>([:])

    func register(session: Ref<Session>, _ subscription: EventSubscription, currentGeneration: Int64) {
        queues.withLock { queues in
            if queues[session] == nil {
                queues[session] = Queue(subscription: subscription, lastGeneration: currentGeneration)
            } else {
                queues[session]!.subscription.add(subscription)
            }
        }
    }

    func unregister(session: Ref<Session>, _ subscription: EventSubscription) {
        queues.withLock { $0[session]?.subscription.remove(subscription) }
    }

    func unregisterAll(session: Ref<Session>) {
        _ = queues.withLock { $0.removeValue(forKey: session) }
    }

    func queue(session: Ref<Session>) -> Queue? { queues.withLock { $0[session] } }

    func advance(session: Ref<Session>, to generation: Int64) {
        queues.withLock { $0[session]?.lastGeneration = generation }
    }
}
