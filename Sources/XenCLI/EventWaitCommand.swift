import XenRPC

/// `event-wait class=<class> [field=value | field=/=value …]`: blocks until an object of the
/// class meets every condition, following `event.from` (never polling).
enum EventWaitCommand {
    static func make(_ catalogue: CLICatalogue) -> CLICommand {
        CLICommand(
            name: "event-wait",
            help: "Wait until an object of class= has every field=value given (field=/=value: anything but value); "
                + "timeout= seconds gives up with an error.",
            required: ["class"], optional: ["timeout"], takesFieldNames: true
        ) { run in
            let name = try run.invocation.required("class")
            guard let cls = catalogue[name] else { throw CLIFailure.message("Unknown class: \(name)") }
            var equal: [(key: String, value: String)] = []
            var different: [(key: String, value: String)] = []
            for (key, value) in run.invocation.parameters where !["class", "timeout"].contains(key) && !CLIInvocation.standardKeys.contains(key) {
                guard cls.accepts(key), !key.contains(":") else { throw CLIFailure.message("key missing: \(key)") }
                if value.hasPrefix("/=") { different.append((key, String(value.dropFirst(2)))) } else { equal.append((key, value)) }
            }
            let clock = run.toolstack.services.environment.now
            let deadline = try run.invocation["timeout"].map { text throws(CLIFailure) -> Duration in
                guard let seconds = Double(text), seconds >= 0 else { throw CLIFailure.message("Invalid timeout: \(text)") }
                return clock() + .milliseconds(Int64(seconds * 1000))
            }
            var token = RPCValue.string("")
            while true {
                var wait = 30.0
                if let deadline {
                    let left = deadline - clock()
                    wait = min(wait, Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)
                }
                let batch = try await run.call(
                    "event.from", .array([.string(cls.model.name.lowercased())]), token, .double(max(wait, 0)))
                token = batch["token"] ?? token
                let snapshot = run.snapshot
                let found = cls.refs(in: snapshot, matching: equal).contains { ref in
                    different.allSatisfy { filter in
                        let (field, key) = CLIClass.split(filter.key)
                        return cls.field(field).map { !$0.read(snapshot, ref).matches(filter.value, key: key) } ?? false
                    }
                }
                if found { return }
                if let deadline, clock() >= deadline {
                    throw CLIFailure.message("Timed out waiting for a \(cls.name) to match")
                }
            }
        }
    }
}
