import XenAPI
import XenBackend
import XenDB

/// Keeps a VM's `VM_guest_metrics` in step with what its guest agent reports.
enum GuestMetricsRecording {
    /// Records the report, making the metrics object (`metricsRef`, `uuid`) on the first one;
    /// without a report the VM has no guest metrics.
    static func record(
        _ report: GuestReport?, of vm: Ref<VM>, metricsRef: Ref<VMGuestMetrics>, uuid: String, at now: DateTime,
        in tx: inout Transaction
    ) throws(XenAPIError) {
        guard let report else { return try remove(of: vm, in: &tx) }
        let current = try tx.snapshot.require(vm).guestMetrics
        let metrics = tx.snapshot.contains(current) ? current : metricsRef
        if !tx.snapshot.contains(metrics) { try tx.insert(metrics) { $0.uuid = uuid } }
        try tx.update(metrics) { metrics in
            metrics.networks = report.networks
            metrics.osVersion = report.osVersion
            metrics.pvDriversVersion = report.pvDriversVersion
            metrics.pvDriversUpToDate = true
            metrics.pvDriversDetected = true
            metrics.live = true
            metrics.canUseHotplugVBD = .yes
            metrics.canUseHotplugVIF = .yes
            metrics.lastUpdated = now
        }
        try tx.set(vm, \.guestMetrics, metrics)
    }

    /// Removes the VM's guest metrics (its guest is no longer up).
    static func remove(of vm: Ref<VM>, in tx: inout Transaction) throws(XenAPIError) {
        let current = try tx.snapshot.require(vm).guestMetrics
        if tx.snapshot.contains(current) { try tx.delete(current) }
        if !current.isNull { try tx.set(vm, \.guestMetrics, .null) }
    }
}
