import Foundation
import Testing
import XenQEMU

/// `--accelerator auto`: KVM is chosen only when a canary guest boots under it.
@Suite("choosing the accelerator with a canary guest")
struct QEMUCanaryTests {
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("qemu-canary-test").path

    @Test("without a canary guest, or without a KVM device to open, the choice is TCG, with the reason")
    func nothingToTry() async {
        let none = await QEMUCanary(guest: nil, folder: folder, sleep: RunningQEMU.sleep).choose()
        #expect(none.accelerator == .tcg && none.reason.contains("no canary guest"))
        let noDevice = await QEMUCanary(guest: "/nonexistent", folder: folder, kvmDevice: "/nonexistent/kvm", sleep: RunningQEMU.sleep)
            .choose()
        #expect(noDevice.accelerator == .tcg && noDevice.reason.contains("/nonexistent/kvm"))
    }

    @Test("a canary that cannot boot (here: no kernel) leaves TCG, whatever the KVM device says",
          .enabled(if: RunningQEMU.installed))
    func canaryThatCannotBoot() async {
        let empty = folder + "-guest"
        try? FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let choice = await QEMUCanary(guest: empty, folder: folder, deadline: .seconds(10), sleep: RunningQEMU.sleep).choose()
        #expect(choice.accelerator == .tcg)
        #expect(!choice.reason.isEmpty)
    }
}
