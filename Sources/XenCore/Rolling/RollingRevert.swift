import Foundation
import XenAPI
import XenBackend
import XenDB

/// What the upgrade documents prescribe when the coordinator's upgrade fails: stop, put the
/// coordinator back to the release it had (its backup) and the pool database back to the dump
/// taken before its step, and bring home the VMs that left it, so the pool is as it was; the
/// run is then failed with the error, recorded after the restore.
struct RollingRevert: Sendable {
    let engine: RollingEngine
    private var services: CoreServices { engine.services }

    func coordinatorFailed(error: [String]) async {
        let snapshot = services.database.snapshot
        let coordinator = services.localHost(snapshot)
        let uuid = snapshot[coordinator]?.uuid ?? ""
        var steps: [String] = []
        // The VMs the run moved off the coordinator, to bring home.
        let left = (snapshot[engine.run]?.movesMade ?? []).compactMap { entry -> String? in
            let parts = entry.split(separator: ":").map(String.init)
            return parts.count == 3 && parts[1] == uuid ? parts[0] : nil
        }
        let backupPath = snapshot[engine.run]?.databaseBackup ?? ""
        // Members are never ahead of the coordinator: if it now runs newer than one of them,
        // the new release went in and comes out again.
        if let packages = try? services.packages(of: coordinator, in: snapshot), await packages.backupRelease() != nil {
            let running = await packages.release()
            let members = snapshot.refs(XenAPI.Host.self).filter { $0 != coordinator }.compactMap { RollingUpgrade.release(of: $0, in: snapshot) }
            if members.contains(where: { $0 < running }), await restoreRelease(coordinator) {
                steps.append("release \(await packages.release().productVersion) restored")
            }
        }
        if !backupPath.isEmpty, let bytes = FileManager.default.contents(atPath: backupPath) {
            do throws(XenAPIError) {
                try await DatabaseBackup(services: services).restore(Array(bytes), dryRun: false)
                steps.append("database restored from \(backupPath)")
                try await keepHistory(of: snapshot)
            } catch {
                steps.append("database not restored: \(error.errorDescription.joined(separator: " "))")
            }
        }
        let home = services.database.snapshot.objects(XenAPI.Host.self).first { $0.uuid == uuid }?.ref ?? coordinator
        for vmUUID in left {
            let now = services.database.snapshot
            guard let vm = now.objects(VM.self).first(where: { $0.uuid == vmUUID }), vm.powerState == .running,
                vm.residentOn != home, let from = now[vm.residentOn]?.uuid
            else { continue }
            guard (try? await VMMessages(services: services).poolMigrate(RollingEngine.context, vm: vm.ref, host: home, options: ["live": "true"])) != nil
            else { continue }
            try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
                if tx.snapshot.contains(engine.run) { try tx.update(engine.run) { $0.movesMade.append([vmUUID, from, uuid].joined(separator: ":")) } }
            }
        }
        if !left.isEmpty { steps.append("VMs brought home") }
        try? await engine.setState(home, .failed, detail: error.joined(separator: " "))
        await engine.end(.failed, error: error, note: "coordinator upgrade failed; " + steps.joined(separator: "; "))
    }

    /// The run's own record comes back from the dump as it was before the coordinator's step: the
    /// migrations made and the timeline since then are written back, so the record still says
    /// what the run did.
    private func keepHistory(of before: Snapshot) async throws(XenAPIError) {
        guard let record = before[engine.run] else { return }
        try await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            guard tx.snapshot.contains(engine.run) else { return }
            try tx.update(engine.run) { run in
                run.movesMade = record.movesMade
                run.timeline = record.timeline
            }
        }
    }

    /// Boots the coordinator back into its backup release (its installer's restore).
    private func restoreRelease(_ host: Ref<XenAPI.Host>) async -> Bool {
        try? await services.database.write { (tx: inout Transaction) throws(XenAPIError) in
            if tx.snapshot[host]?.enabled == true { try RollingHostStep.disable(host, in: &tx) }
        }
        do {
            try await HostMessages(services: services).restoreBackup(RollingEngine.context, host: host)
        } catch {
            return false
        }
        return true
    }
}
