import Testing
import XenQEMU

/// The command line is a pure function of the VM's machine description.
@Suite("QEMU command line")
struct QEMUCommandLineTests {
    let files = QEMURunFiles(folder: "/run/xapid/qemu/0f8c")

    /// The value following `option` (the first one, or the one whose value starts with `prefix`).
    private func value(_ option: String, in arguments: [String], prefix: String = "") -> String? {
        zip(arguments, arguments.dropFirst()).first { $0.0 == option && $0.1.hasPrefix(prefix) }?.1
    }

    @Test("a directly booted guest: the fixed devices, the kernel, never -daemonize")
    func directBoot() {
        let machine = QEMUMachine(
            uuid: "0f8c7a2e-1111-2222-3333-444455556666", name: "web, one", memoryMiB: 256, vcpus: 2, maxVCPUs: 4,
            accelerator: .tcg, boot: .direct(kernel: "/k/vmlinux", ramdisk: "/k/initrd.gz", arguments: "console=ttyS0"))
        let arguments = QEMUCommandLine.arguments(for: machine, files: files)
        #expect(value("-name", in: arguments) == "guest=web,, one,process=qemu-0f8c7a2e")
        #expect(value("-uuid", in: arguments) == machine.uuid)
        #expect(["-S", "-no-shutdown", "-nodefaults", "-no-user-config"].allSatisfy(arguments.contains))
        #expect(!arguments.contains("-daemonize"))
        #expect(value("-action", in: arguments) == "reboot=shutdown")
        #expect(value("-machine", in: arguments) == "pc-i440fx-7.2" && value("-accel", in: arguments) == "tcg")
        #expect(value("-cpu", in: arguments) == "qemu64")
        #expect(value("-m", in: arguments) == "256" && value("-smp", in: arguments) == "2,maxcpus=4")
        #expect(value("-chardev", in: arguments, prefix: "socket,id=qmp0") == "socket,id=qmp0,fd=3,server=on,wait=off", "QMP on the socket handed over")
        #expect(value("-mon", in: arguments) == "chardev=qmp0,mode=control")
        #expect(value("-qmp", in: arguments) == "unix:/run/xapid/qemu/0f8c/qmp-fd.sock,server=on,wait=off", "the descriptor-passing monitor")
        #expect(value("-pidfile", in: arguments) == "/run/xapid/qemu/0f8c/qemu.pid")
        #expect(value("-chardev", in: arguments, prefix: "socket,id=qga0") == "socket,id=qga0,path=/run/xapid/qemu/0f8c/qga.sock,server=on,wait=off")
        #expect(value("-device", in: arguments, prefix: "virtserialport") == "virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0")
        #expect(value("-device", in: arguments, prefix: "virtio-balloon") != nil)
        #expect(value("-kernel", in: arguments) == "/k/vmlinux" && value("-initrd", in: arguments) == "/k/initrd.gz")
        #expect(value("-append", in: arguments) == "console=ttyS0")
        #expect(value("-boot", in: arguments) == nil && value("-incoming", in: arguments) == nil)
    }

    @Test("network interfaces 0–7 get fixed PCI slots, so a restored or migrated guest finds each where it was")
    func nicSlots() {
        #expect(QEMUCommandLine.nicSlot(0) == "0x18")
        #expect(QEMUCommandLine.nicSlot(7) == "0x1f")
        #expect(QEMUCommandLine.nicSlot(8) == nil)
    }

    @Test("firmware boot: the boot order kept to disk, CD and network; CD drives on the IDE buses; incoming")
    func firmwareBoot() {
        let machine = QEMUMachine(
            uuid: "9a", name: "installer", memoryMiB: 1024, vcpus: 1, maxVCPUs: 1, accelerator: .kvm,
            boot: .firmware(order: "dcx"), cdSlots: [3, 1], incoming: true)
        let arguments = QEMUCommandLine.arguments(for: machine, files: files)
        #expect(value("-accel", in: arguments) == "kvm")
        #expect(value("-boot", in: arguments) == "order=dc")
        #expect(value("-device", in: arguments, prefix: "ide-cd") == "ide-cd,bus=ide.0,unit=1,id=cd1")
        #expect(arguments.contains("ide-cd,bus=ide.1,unit=1,id=cd3"))
        #expect(value("-incoming", in: arguments) == "defer")
        #expect(value("-kernel", in: arguments) == nil)
        let empty = QEMUMachine(uuid: "9b", name: "n", memoryMiB: 64, vcpus: 1, maxVCPUs: 1, accelerator: .tcg, boot: .firmware(order: ""))
        #expect(value("-boot", in: QEMUCommandLine.arguments(for: empty, files: files)) == "order=cd")
    }
}
