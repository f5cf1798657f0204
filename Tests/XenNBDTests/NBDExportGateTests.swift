import Synchronization
import Testing

@testable import XenNBD

/// The gate an NBD server's requests pass, closed while the disk underneath changes (a snapshot
/// of a disk in use) and reopened on the new file.
@Suite("the gate between an NBD server's requests and its export")
struct NBDExportGateTests {
    /// An export that is only a name: which one a request reached is all these tests look at.
    struct Named: NBDExport {
        let name: String
        var size: Int64 { 1 << 20 }
        var readOnly: Bool { false }
        func read(at offset: Int64, count: Int) throws -> [UInt8] { [] }
        func write(at offset: Int64, _ bytes: [UInt8]) throws {}
        func flush() throws {}
    }

    /// What the tasks of a test have reached.
    final class Progress: Sendable {
        let closed = Atomic(false)
        let waitingRequests = Atomic(0)
    }

    private func name(_ export: (any NBDExport)?) -> String? { (export as? Named)?.name }

    /// Yields until `condition` holds (other tasks of the test make it so).
    private func until(_ condition: () -> Bool) async {
        while !condition() { await Task.yield() }
    }

    @Test("a close waits for the request under way, holds the next back, and the reopened export takes it")
    func closeWaitsAndReopens() async {
        let gate = NBDExportGate(Named(name: "old leaf"))
        #expect(name(await gate.enter()) == "old leaf")
        let progress = Progress()
        await withTaskGroup(of: String?.self) { group in
            group.addTask {
                let idle = await gate.close()
                progress.closed.store(true, ordering: .sequentiallyConsistent)
                return "closed " + (self.name(idle) ?? "?")
            }
            await until { gate.isClosed }
            group.addTask {
                progress.waitingRequests.add(1, ordering: .sequentiallyConsistent)
                let export = await gate.enter()
                defer { gate.leave() }
                return "request " + (self.name(export) ?? "turned away")
            }
            await until { progress.waitingRequests.load(ordering: .sequentiallyConsistent) == 1 }
            for _ in 0..<100 { await Task.yield() }
            // The request under way holds the close; the new request waits.
            let closedEarly = progress.closed.load(ordering: .sequentiallyConsistent)
            #expect(!closedEarly)
            gate.leave()
            #expect(await group.next() == "closed old leaf")
            #expect(gate.isClosed)
            gate.open(with: Named(name: "new leaf"))
            #expect(await group.next() == "request new leaf")
        }
        #expect(!gate.isClosed)
        #expect(name(gate.export) == "new leaf")
    }

    @Test("a close with nothing under way is at once; an ended gate turns requests away, those waiting too")
    func endTurnsAway() async {
        let gate = NBDExportGate(Named(name: "leaf"))
        #expect(name(await gate.close()) == "leaf")
        let progress = Progress()
        await withTaskGroup(of: String?.self) { group in
            group.addTask {
                progress.waitingRequests.add(1, ordering: .sequentiallyConsistent)
                return self.name(await gate.enter())
            }
            await until { progress.waitingRequests.load(ordering: .sequentiallyConsistent) == 1 }
            for _ in 0..<100 { await Task.yield() }
            gate.end()
            #expect(await group.next() == .some(nil))
        }
        #expect(await gate.enter() == nil)
    }
}
