#!/usr/bin/env python3
"""qemu-bench: what `xapid --backend qemu` costs over QEMU driven by hand, on the test guest.

In one run, alternating, it measures:
  - start to agent-ready: VM.start through the Python SDK until the guest metrics show the address
    DHCP gave the VIF, against a bare qemu-system-x86_64 of the same machine started and polled
    over its agent socket until the agent reports that address (goal: overhead <= 10 %);
  - suspend, resume and a live migration on this machine: VM.suspend, VM.resume and
    VM.pool_migrate (to the VM's own host), against the bare QMP commands (stop + migrate fd:
    into a file; -incoming defer + migrate-incoming fd:; migrate to a second process over a Unix
    socket) (goal: <= 1.2x).

Run from the repository after a release build:
    swift build -c release --product xapid
    .venv/bin/python benchmarks/qemu-bench.py [--runs 3]
It builds (or reuses) the test guest with scripts/build-test-guest. Timings are wall-clock
medians under TCG; both sides run the same guest on the same machine, one at a time, and leave
it idle for a second before suspending or migrating it.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import XenAPI

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIB = 1 << 20
MAC = "52:54:00:be:0c:01"
# How long a guest that has just reported its address is left before it is suspended or
# migrated, on both sides alike: the measurements are of an idle guest, not of one still busy
# coming up (its dirtied pages make a live migration's length vary several-fold).
SETTLE = 1.0


class Monitor:
    """A blocking QMP (or guest agent) connection."""

    def __init__(self, path, qmp=True, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        self.file = self.sock.makefile("rb")
        if qmp:
            self.file.readline()
            self.command("qmp_capabilities")

    def send(self, message, fds=()):
        data = (json.dumps(message) + "\n").encode()
        if fds:
            socket.send_fds(self.sock, [data], list(fds))
        else:
            self.sock.sendall(data)

    def command(self, name, arguments=None, fds=()):
        message = {"execute": name}
        if arguments is not None:
            message["arguments"] = arguments
        self.send(message, fds)
        while True:
            reply = json.loads(self.file.readline())
            if "event" in reply:
                continue
            if "error" in reply:
                raise RuntimeError("%s: %s" % (name, reply["error"]))
            return reply.get("return")

    def close(self):
        self.sock.close()


def bare_arguments(guest, folder, incoming=False):
    arguments = [
        "qemu-system-x86_64", "-S", "-no-shutdown", "-nodefaults", "-no-user-config", "-display", "none",
        "-machine", "pc-i440fx-7.2", "-accel", "tcg", "-cpu", "qemu64", "-m", "256", "-smp", "1",
        "-qmp", "unix:%s/qmp.sock,server=on,wait=off" % folder, "-serial", "file:%s/console.log" % folder,
        "-device", "virtio-serial-pci,id=vser0",
        "-chardev", "socket,id=qga0,path=%s/qga.sock,server=on,wait=off" % folder,
        "-device", "virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0",
        "-device", "virtio-balloon-pci,id=balloon0",
        "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0,id=vif0,addr=0x18,mac=" + MAC,
        "-kernel", os.path.join(guest, "vmlinux"), "-initrd", os.path.join(guest, "initrd.gz"),
        "-append", "console=ttyS0 quiet",
    ]
    if incoming:
        arguments += ["-incoming", "defer"]
    return arguments


def spawn(guest, folder, incoming=False):
    os.makedirs(folder, exist_ok=True)
    process = subprocess.Popen(bare_arguments(guest, folder, incoming), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    return process, Monitor(os.path.join(folder, "qmp.sock"))


def agent_address(folder):
    """The address the guest agent reports for the NIC, or None while it does not answer."""
    try:
        agent = Monitor(os.path.join(folder, "qga.sock"), qmp=False, timeout=1)
    except OSError:
        return None
    try:
        agent.sock.settimeout(0.5)
        agent.sock.sendall(b"\xff")
        agent.send({"execute": "guest-sync-delimited", "arguments": {"id": 7}})
        while True:
            line = agent.file.readline().lstrip(b"\xff")
            if b'"return": 7' in line:
                break
        agent.send({"execute": "guest-network-get-interfaces"})
        for interface in json.loads(agent.file.readline())["return"]:
            if interface.get("hardware-address") == MAC:
                for address in interface.get("ip-addresses", []):
                    if address["ip-address-type"] == "ipv4":
                        return address["ip-address"]
        return None
    except (OSError, ValueError, KeyError):
        return None
    finally:
        agent.close()


def wait_for(predicate, timeout=120, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise RuntimeError("timed out")


def quit_process(process, monitor):
    try:
        monitor.command("quit")
    except (OSError, RuntimeError, ValueError):
        pass
    monitor.close()
    process.wait(timeout=30)


def migrated(monitor):
    status = monitor.command("query-migrate").get("status")
    if status == "failed":
        raise RuntimeError("migration failed")
    return status == "completed"


def bare_cycle(guest, scratch):
    """One bare run: boot to agent-ready, suspend, resume, local migration; seconds for each."""
    first = os.path.join(scratch, "bare-1")
    started = time.monotonic()
    process, monitor = spawn(guest, first)
    monitor.command("cont")
    wait_for(lambda: agent_address(first) == "10.0.2.15", step=0.05)
    boot = time.monotonic() - started

    time.sleep(SETTLE)
    image = os.path.join(scratch, "bare.state")
    started = time.monotonic()
    monitor.command("stop")
    monitor.command("migrate-set-parameters", {"max-bandwidth": 10_000_000_000})
    with open(image, "wb") as state:
        monitor.command("getfd", {"fdname": "suspend"}, fds=[state.fileno()])
    monitor.command("migrate", {"uri": "fd:suspend"})
    wait_for(lambda: migrated(monitor), step=0.005)
    quit_process(process, monitor)
    suspend = time.monotonic() - started

    second = os.path.join(scratch, "bare-2")
    started = time.monotonic()
    process, monitor = spawn(guest, second, incoming=True)
    with open(image, "rb") as state:
        monitor.command("getfd", {"fdname": "resume"}, fds=[state.fileno()])
    monitor.command("migrate-incoming", {"uri": "fd:resume"})
    wait_for(lambda: monitor.command("query-status")["status"] != "inmigrate", step=0.005)
    monitor.command("cont")
    resume = time.monotonic() - started
    os.unlink(image)
    wait_for(lambda: agent_address(second) == "10.0.2.15", step=0.05)

    time.sleep(SETTLE)
    third = os.path.join(scratch, "bare-3")
    started = time.monotonic()
    target, receiver = spawn(guest, third, incoming=True)
    endpoint = "unix:" + os.path.join(third, "migration.sock")
    receiver.command("migrate-incoming", {"uri": endpoint})
    monitor.command("migrate-set-parameters", {"max-bandwidth": 10_000_000_000})
    monitor.command("migrate", {"uri": endpoint})
    wait_for(lambda: migrated(monitor), step=0.005)
    wait_for(lambda: receiver.command("query-status")["status"] != "inmigrate", step=0.005)
    receiver.command("cont")
    quit_process(process, monitor)
    migrate = time.monotonic() - started
    wait_for(lambda: agent_address(third) == "10.0.2.15", step=0.05)
    quit_process(target, receiver)
    return boot, suspend, resume, migrate


def address(x, vm):
    metrics = x.VM.get_guest_metrics(vm)
    return metrics != "OpaqueRef:NULL" and x.VM_guest_metrics.get_networks(metrics).get("0/ip")


def xapid_cycle(x, vm):
    """The same through xapid: VM.start to the address in the guest metrics, then the API calls."""
    started = time.monotonic()
    x.VM.start(vm, False, False)
    wait_for(lambda: address(x, vm) == "10.0.2.15", step=0.05)
    boot = time.monotonic() - started
    time.sleep(SETTLE)
    started = time.monotonic()
    x.VM.suspend(vm)
    suspend = time.monotonic() - started
    started = time.monotonic()
    x.VM.resume(vm, False, False)
    resume = time.monotonic() - started
    wait_for(lambda: address(x, vm) == "10.0.2.15", step=0.05)
    time.sleep(SETTLE)
    started = time.monotonic()
    x.VM.pool_migrate(vm, x.VM.get_resident_on(vm), {"live": "true"})
    migrate = time.monotonic() - started
    wait_for(lambda: address(x, vm) == "10.0.2.15", step=0.05)
    x.VM.hard_shutdown(vm)
    return boot, suspend, resume, migrate


def start_xapid(xapid, data_dir, port):
    process = subprocess.Popen(
        [xapid, "--data-dir", data_dir, "--listen", "127.0.0.1:%d" % port, "--https-listen", "off",
         "--root-password", "qemu-bench", "--backend", "qemu", "--accelerator", "tcg"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    session = XenAPI.Session("http://127.0.0.1:%d" % port)
    deadline = time.monotonic() + 60
    while True:
        try:
            session.xenapi.login_with_password("root", "qemu-bench", "1.0", "qemu-bench")
            return process, session
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def make_vm(x, guest):
    vm = x.VM.create({
        "name_label": "bench", "name_description": "", "user_version": "1", "is_a_template": False,
        "affinity": "OpaqueRef:NULL", "memory_static_max": str(256 * MIB), "memory_dynamic_max": str(256 * MIB),
        "memory_dynamic_min": str(256 * MIB), "memory_static_min": str(256 * MIB), "VCPUs_params": {},
        "VCPUs_max": "1", "VCPUs_at_startup": "1", "actions_after_shutdown": "destroy",
        "actions_after_reboot": "restart", "actions_after_crash": "restart", "PV_bootloader": "",
        "PV_kernel": os.path.join(guest, "vmlinux"), "PV_ramdisk": os.path.join(guest, "initrd.gz"),
        "PV_args": "console=ttyS0 quiet", "PV_bootloader_args": "", "PV_legacy_args": "",
        "HVM_boot_policy": "", "HVM_boot_params": {}, "platform": {}, "PCI_bus": "", "other_config": {},
        "recommendations": ""})
    x.VIF.create({"device": "0", "network": x.network.get_all()[0], "VM": vm, "MAC": MAC, "MTU": "1500",
                  "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {}})
    return vm


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=18443)
    options = parser.parse_args()
    xapid = os.path.join(ROOT, ".build", "release", "xapid")
    if not os.access(xapid, os.X_OK):
        sys.exit("build xapid first: swift build -c release --product xapid")
    guest = subprocess.check_output([os.path.join(ROOT, "scripts", "build-test-guest")], text=True).strip()
    scratch = tempfile.mkdtemp(prefix="qemu-bench-")
    process, session = start_xapid(xapid, os.path.join(scratch, "data"), options.port)
    try:
        x = session.xenapi
        vm = make_vm(x, guest)
        ours, bare = [], []
        for _ in range(options.runs):
            bare.append(bare_cycle(guest, scratch))
            ours.append(xapid_cycle(x, vm))
        print("qemu-bench: %d runs each, medians, TCG, 256 MiB guest" % options.runs)
        print("%-28s %10s %10s %8s" % ("", "xapid", "bare", "ratio"))
        for index, name in enumerate(["start to agent-ready (s)", "suspend (s)", "resume (s)", "local live migration (s)"]):
            mine = statistics.median(run[index] for run in ours)
            theirs = statistics.median(run[index] for run in bare)
            print("%-28s %10.3f %10.3f %7.2fx" % (name, mine, theirs, mine / theirs))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        subprocess.run(["pkill", "-f", "qemu-bench-"], check=False)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
