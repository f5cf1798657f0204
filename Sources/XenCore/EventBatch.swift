import Collections
import XenAPI
import XenDB
import XenRPC

/// One answer to `event.from`/`event.next`, computed from generation counters: objects created
/// after the token are `add`, changed ones `mod`, and deleted ones that existed before it `del`
/// (one event per object; an object both made and removed inside the window yields nothing).
struct EventBatch {
    var events: [RPCValue]
    var generation: Int64

    /// `%020d,%020d`: database generation and message generation, so tokens compare as strings.
    static func token(_ generation: Int64) -> String {
        let text = String(generation)
        return String(repeating: "0", count: max(0, 20 - text.count)) + text + ",00000000000000000000"
    }

    /// Reads a token; `""` means from the beginning.
    static func parseToken(_ token: String) throws(XenAPIError) -> Int64 {
        if token.isEmpty { return 0 }
        let parts = token.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let generation = Int64(parts[0]), generation >= 0, Int64(parts[1]) != nil else {
            throw XenAPIError.eventFromTokenParseFailure(token: token)
        }
        return generation
    }

    /// Every change after `since` that the subscription covers.
    static func collect(
        _ snapshot: Snapshot, since: Int64, subscription: EventSubscription, timestamp: String
    ) -> EventBatch {
        var events: [RPCValue] = []
        for className in snapshot.schema.classNames {
            guard subscription.covers(className), let schema = snapshot.schema[className], schema.model.generatesEvents,
                let table = snapshot.tables[className], table.lastChanged > since
            else { continue }
            let lowered = className.lowercased()
            let changed = table.rows.filter { $0.value.modified > since && subscription.matches(className, $0.key) }
            for (ref, row) in changed.sorted(by: { $0.key < $1.key }) {
                let operation: EventOperation = row.created > since ? .add : .mod
                events.append(event(id: row.modified, timestamp: timestamp, lowered, operation, ref,
                                    snapshot: snapshot.record(className, ref)))
            }
        }
        for tombstone in snapshot.tombstones.deleted(after: since) {
            guard tombstone.created <= since, subscription.matches(tombstone.className, tombstone.ref),
                snapshot.schema[tombstone.className]?.model.generatesEvents == true
            else { continue }
            events.append(event(id: tombstone.deleted, timestamp: timestamp, tombstone.className.lowercased(), .del,
                                tombstone.ref, snapshot: nil))
        }
        return EventBatch(events: events, generation: snapshot.generation)
    }

    private static func event(
        id: Int64, timestamp: String, _ className: String, _ operation: EventOperation, _ ref: String, snapshot: RPCValue?
    ) -> RPCValue {
        var members: OrderedDictionary<String, RPCValue> = [
            "id": .string(String(id)), "timestamp": .string(timestamp), "class": .string(className),
            "operation": operation.rpcValue, "ref": .string(ref),
        ]
        if let snapshot { members["snapshot"] = snapshot }
        return .structure(members)
    }

    /// `{events, valid_ref_counts, token}`, the `event.from` result.
    func fromResult(_ snapshot: Snapshot) -> RPCValue {
        var counts = OrderedDictionary<String, RPCValue>()
        for className in snapshot.schema.classNames where className != Event.className {
            counts[className.lowercased()] = .int32(Int32(clamping: snapshot.count(className)))
        }
        return [
            "events": .array(events), "valid_ref_counts": .structure(counts), "token": .string(Self.token(generation)),
        ]
    }
}
