"""xapid --backend qemu: VMs that really run, as QEMU processes under TCG, driven through the SDK.

The guest is the project's test guest (scripts/build-test-guest, named by XAPI_TEST_GUEST): Debian's
kernel booted directly from the VM's PV_kernel/PV_ramdisk, with qemu-ga, whose answers become the
VM's guest metrics. Where QEMU or the guest is missing the tests are skipped, except in CI.
"""
import concurrent.futures
import glob
import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from test_storage import attach, disk_of, download, local_sr, new_disk, upload
from test_vm_lifecycle import failure

GUEST = os.environ.get("XAPI_TEST_GUEST", "")
MIB = 1 << 20
VHD_FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "XenStorageTests", "Fixtures", "vhd")

pytestmark = pytest.mark.skipif(
    not os.environ.get("CI") and not (shutil.which("qemu-system-x86_64") and os.path.isfile(os.path.join(GUEST, "vmlinux"))),
    reason="QEMU or the test guest (scripts/build-test-guest) is missing")


def wait_for(what, predicate, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError("timed out waiting for " + what)


def new_guest(x, name):
    vm = x.VM.create({
        "name_label": name, "name_description": "", "user_version": "1", "is_a_template": False,
        "affinity": "OpaqueRef:NULL", "memory_static_max": str(256 * MIB), "memory_dynamic_max": str(256 * MIB),
        "memory_dynamic_min": str(256 * MIB), "memory_static_min": str(256 * MIB), "VCPUs_params": {},
        "VCPUs_max": "1", "VCPUs_at_startup": "1", "actions_after_shutdown": "destroy",
        "actions_after_reboot": "restart", "actions_after_crash": "restart", "PV_bootloader": "",
        "PV_kernel": os.path.join(GUEST, "vmlinux"), "PV_ramdisk": os.path.join(GUEST, "initrd.gz"),
        "PV_args": "console=ttyS0 quiet", "PV_bootloader_args": "", "PV_legacy_args": "",
        "HVM_boot_policy": "", "HVM_boot_params": {}, "platform": {}, "PCI_bus": "", "other_config": {},
        "recommendations": ""})
    x.VIF.create({"device": "0", "network": management_network(x), "VM": vm, "MAC": "52:54:00:5e:ed:01", "MTU": "1500",
                  "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {}})
    return vm


def management_network(x):
    """The pool's network with a PIF (xenbr0), whose VIFs reach the outside through QEMU's NAT."""
    return [network for network in x.network.get_all() if x.network.get_bridge(network) == "xenbr0"][0]


def guest_address(x, vm):
    metrics = x.VM.get_guest_metrics(vm)
    if metrics == "OpaqueRef:NULL":
        return None
    return x.VM_guest_metrics.get_networks(metrics).get("0/ip")


def run_folder(xapid, x, vm):
    """The run folder of the VM's QEMU process: one per process, named by the VM and its domid."""
    return os.path.join(xapid.data_dir, "qemu", "%s.%s" % (x.VM.get_uuid(vm), x.VM.get_domid(vm)))


def qemu_pid(xapid, x, vm):
    with open(os.path.join(run_folder(xapid, x, vm), "qemu.pid")) as pidfile:
        return int(pidfile.read().strip())


def booted_here(xapid, x, vm):
    """Whether the guest of the VM's current process booted in it (its init's line is on the console)."""
    with open(os.path.join(run_folder(xapid, x, vm), "console.log"), errors="replace") as console:
        return "swift-xapi test guest: ready" in console.read()


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def kill_guests(xapid):
    """The QEMU processes outlive xapid by design: a test's must not outlive the test."""
    for pidfile in glob.glob(os.path.join(xapid.data_dir, "qemu", "*", "qemu.pid")):
        try:
            os.kill(int(open(pidfile).read().strip()), signal.SIGKILL)
        except (OSError, ValueError):
            pass


@pytest.fixture
def qemu_xapid(start_xapid):
    xapid = start_xapid("--backend", "qemu", "--accelerator", "tcg")
    yield xapid
    kill_guests(xapid)


@pytest.fixture
def netns_xapid(start_xapid):
    """xapid whose bridges, taps and QEMU processes live in a network namespace of the test's own."""
    if os.geteuid() != 0:
        pytest.skip("bridges and taps need root")
    namespace = "xapi-test-%d" % os.getpid()
    xapid = start_xapid("--backend", "qemu", "--accelerator", "tcg", "--network-namespace", namespace)
    xapid.namespace = namespace
    yield xapid
    kill_guests(xapid)
    subprocess.run(["ip", "netns", "delete", namespace], check=False)


def test_a_guest_boots_reports_its_address_and_shuts_down(qemu_xapid):
    x = qemu_xapid.login().xenapi
    vm = new_guest(x, "real guest")
    x.VM.start(vm, False, False)
    assert x.VM.get_power_state(vm) == "Running" and int(x.VM.get_domid(vm)) > 0
    pid = qemu_pid(qemu_xapid, x, vm)
    assert alive(pid)

    # The guest agent's report becomes the guest metrics: the address DHCP gave the VIF's MAC.
    assert wait_for("the guest's address", lambda: guest_address(x, vm)) == "10.0.2.15"
    metrics = x.VM.get_guest_metrics(vm)
    assert x.VM_guest_metrics.get_PV_drivers_version(metrics)["major"] == "7"
    assert x.VM_guest_metrics.get_os_version(metrics)["uname"].endswith("-amd64")

    x.VM.pause(vm)
    assert x.VM.get_power_state(vm) == "Paused"
    x.VM.unpause(vm)
    assert x.VM.get_power_state(vm) == "Running"

    # A clean reboot through the agent: the guest restarts in a new QEMU and comes back.
    x.VM.clean_reboot(vm)
    assert x.VM.get_power_state(vm) == "Running"
    assert wait_for("QEMU of the first boot to exit", lambda: not alive(pid), timeout=30)
    pid = qemu_pid(qemu_xapid, x, vm)
    assert wait_for("the guest's address after the reboot", lambda: guest_address(x, vm)) == "10.0.2.15"

    # Clean shutdown through the agent: the process ends, the VM is halted.
    x.VM.clean_shutdown(vm)
    assert x.VM.get_power_state(vm) == "Halted" and x.VM.get_domid(vm) == "-1"
    assert x.VM.get_guest_metrics(vm) == "OpaqueRef:NULL"
    assert wait_for("QEMU to exit", lambda: not alive(pid), timeout=30)

    x.VM.start(vm, False, False)
    second = qemu_pid(qemu_xapid, x, vm)
    x.VM.hard_shutdown(vm)
    assert x.VM.get_power_state(vm) == "Halted"
    assert wait_for("QEMU to exit", lambda: not alive(second), timeout=30)


def test_a_killed_qemu_halts_its_vm_and_a_restarted_xapid_adopts_the_running_ones(qemu_xapid):
    x = qemu_xapid.login().xenapi
    vm = new_guest(x, "killed")
    x.VM.start(vm, False, False)
    os.kill(qemu_pid(qemu_xapid, x, vm), signal.SIGKILL)
    wait_for("the VM to be halted", lambda: x.VM.get_power_state(vm) == "Halted", timeout=60)
    assert x.VM.get_resident_on(vm) == "OpaqueRef:NULL"

    # The guest keeps running while xapid is down, and is found again (same process, same domid).
    x.VM.start(vm, False, False)
    pid, domid = qemu_pid(qemu_xapid, x, vm), x.VM.get_domid(vm)
    qemu_xapid.stop()
    assert alive(pid)
    qemu_xapid.start()
    x = qemu_xapid.login().xenapi
    assert x.VM.get_power_state(vm) == "Running" and x.VM.get_domid(vm) == domid
    assert qemu_pid(qemu_xapid, x, vm) == pid
    assert wait_for("the guest's address", lambda: guest_address(x, vm)) == "10.0.2.15"
    x.VM.clean_shutdown(vm)
    assert x.VM.get_power_state(vm) == "Halted"
    assert wait_for("QEMU to exit", lambda: not alive(pid), timeout=30)


def test_a_guests_disk_outlives_a_crash_of_xapid(qemu_xapid, tmp_path):
    """xapid serves the guest's VHD disk itself (as tapdisk does on XenServer, where it outlives
    xapi): when xapid dies, QEMU holds the guest's disk requests and reconnects to the disk's
    socket once the restarted xapid serves it again, so the guest writes on, and its disk can
    still be unplugged."""
    session = qemu_xapid.login()
    x = session.xenapi
    vm = new_guest(x, "crash survivor")
    x.VM.set_PV_args(vm, "console=ttyS0 quiet write_disks")
    vdi = new_disk(x, local_sr(x), 8 * MIB, label="kept")
    vbd = attach(x, vm, vdi, "1")
    x.VM.start(vm, False, False)
    prefix = "swift-xapi test guest: wrote generation "
    console = os.path.join(run_folder(qemu_xapid, x, vm), "console.log")

    def written():
        with open(console, errors="replace") as lines:
            return max([int(line[len(prefix):].split()[0]) for line in lines if line.startswith(prefix)] or [0])

    wait_for("the guest to write its disk", lambda: written() >= 2, timeout=120)
    pid = qemu_pid(qemu_xapid, x, vm)
    qemu_xapid.kill()
    crashed = written()
    assert alive(pid)
    qemu_xapid.start()
    session = qemu_xapid.login()
    x = session.xenapi
    assert x.VM.get_power_state(vm) == "Running" and qemu_pid(qemu_xapid, x, vm) == pid
    wait_for("the guest to write on", lambda: written() >= crashed + 3, timeout=120)
    x.VBD.unplug(vbd)
    assert not x.VBD.get_currently_attached(vbd)
    x.VM.hard_shutdown(vm)
    assert int(first_sector(qemu_xapid, session, vdi, tmp_path, "kept").split()[2]) >= crashed + 3


def test_a_vm_boots_the_iso_in_its_cd_drive_from_an_iso_library(qemu_xapid, tmp_path):
    x = qemu_xapid.login().xenapi
    library = tmp_path / "isos"
    library.mkdir()
    shutil.copy(os.path.join(GUEST, "guest.iso"), library / "installer.iso")
    master = x.pool.get_master(x.pool.get_all()[0])
    sr = x.SR.create(master, {"location": str(library)}, "0", "ISO library", "", "iso", "iso", True, {})
    disc = x.SR.get_VDIs(sr)[0]
    vm = new_guest(x, "from the CD")
    x.VM.set_PV_kernel(vm, "")
    x.VM.set_PV_ramdisk(vm, "")
    x.VM.set_HVM_boot_policy(vm, "BIOS order")
    x.VM.set_HVM_boot_params(vm, {"order": "dc"})
    cd = x.VBD.create({"VM": vm, "VDI": "OpaqueRef:NULL", "userdevice": "3", "bootable": True, "mode": "RO",
                       "type": "CD", "empty": True, "other_config": {}, "qos_algorithm_type": "",
                       "qos_algorithm_params": {}})
    x.VBD.insert(cd, disc)
    x.VM.start(vm, False, False)
    # The firmware found nothing else to boot: the guest on the disc came up and reports its address.
    assert wait_for("the guest's address", lambda: guest_address(x, vm)) == "10.0.2.15"
    # The disc can be taken out and put back while the guest runs.
    x.VBD.eject(cd)
    assert x.VBD.get_empty(cd)
    x.VBD.insert(cd, disc)
    assert x.VBD.get_VDI(cd) == disc
    x.VM.clean_shutdown(vm)
    assert x.VM.get_power_state(vm) == "Halted"


def test_a_guest_is_suspended_resumed_and_migrated_on_its_host_without_rebooting(qemu_xapid, tmp_path):
    session = qemu_xapid.login()
    x = session.xenapi
    vm = new_guest(x, "moving")
    # With a disk: the processes before and after each move serve it from one open VHD.
    vdi = new_disk(x, local_sr(x), 32 * MIB, label="moving")
    upload(qemu_xapid, session, vdi, os.path.join(VHD_FIXTURES, "base.vhd"), fmt="vhd")
    attach(x, vm, vdi, "1")
    x.VM.start(vm, False, False)
    assert wait_for("the guest's address", lambda: guest_address(x, vm)) == "10.0.2.15"
    assert wait_for("the guest's init to finish", lambda: booted_here(qemu_xapid, x, vm), timeout=60)
    pid = qemu_pid(qemu_xapid, x, vm)

    # Suspend: the guest's memory goes into a new suspend VDI in the SR and the process ends.
    x.VM.suspend(vm)
    assert x.VM.get_power_state(vm) == "Suspended" and x.VM.get_domid(vm) == "-1"
    assert wait_for("QEMU to exit", lambda: not alive(pid), timeout=30)
    image = x.VM.get_suspend_VDI(vm)
    record = x.VDI.get_record(image)
    assert record["type"] == "suspend" and record["name_label"] == "Suspend image"
    assert record["SR"] == local_sr(x) and image in x.SR.get_VDIs(local_sr(x))
    assert int(record["virtual_size"]) >= int(x.VM.get_memory_static_max(vm)) * 1.26
    # The VDI holds the image: its header (what wrote it, for which machine) and QEMU's stream.
    saved = tmp_path / "suspend.vhd"
    download(qemu_xapid, session, record["uuid"], str(saved), fmt="vhd")
    header = subprocess.run(["qemu-io", "-r", "-f", "vpc", "-c", "read -v 0 512", str(saved)],
                            capture_output=True, text=True, check=True).stdout
    data = b"".join(bytes.fromhex(line.split(":", 1)[1].split("  ")[1])
                    for line in header.splitlines() if line[:8].isalnum() and line[8:9] == ":")
    magic = b"swift-xapi suspend image v1\n"
    assert data.startswith(magic), header
    fields = json.loads(data[len(magic):].split(b"\0")[0])
    assert fields["format"] == "qemu-migration" and fields["machine"] == "pc-i440fx-7.2" and fields["length"] > MIB
    assert "resume" in x.VM.get_allowed_operations(vm)

    # Resume: a new process takes the image in; the guest carries on (no second boot) and its agent answers.
    x.VM.resume(vm, False, False)
    assert x.VM.get_power_state(vm) == "Running"
    assert x.VM.get_suspend_VDI(vm) == "OpaqueRef:NULL" and image not in x.SR.get_VDIs(local_sr(x))
    pid = qemu_pid(qemu_xapid, x, vm)
    assert wait_for("the guest's address after resume", lambda: guest_address(x, vm)) == "10.0.2.15"
    assert not booted_here(qemu_xapid, x, vm)

    # A live migration to the host it is on: a second process takes the running guest over a socket.
    domid = x.VM.get_domid(vm)
    host = x.VM.get_resident_on(vm)
    x.VM.pool_migrate(vm, host, {"live": "true"})
    assert x.VM.get_power_state(vm) == "Running" and x.VM.get_resident_on(vm) == host
    assert x.VM.get_domid(vm) != domid
    assert wait_for("the first process to exit", lambda: not alive(pid), timeout=30)
    assert not booted_here(qemu_xapid, x, vm)
    assert wait_for("the guest's agent after the migration",
                    lambda: x.VM.get_guest_metrics(vm) != "OpaqueRef:NULL" and guest_address(x, vm)) == "10.0.2.15"
    assert not [name for name in os.listdir(os.path.join(qemu_xapid.data_dir, "qemu")) if "departing" in name]

    x.VM.clean_shutdown(vm)
    assert x.VM.get_power_state(vm) == "Halted"


def console_lines(xapid, x, vm, prefix):
    with open(os.path.join(run_folder(xapid, x, vm), "console.log"), errors="replace") as console:
        return [line.strip() for line in console if line.startswith(prefix)]


def test_a_guest_reads_vdis_made_from_the_blktap_fixtures(qemu_xapid):
    """Two VHD VDIs, imported from files blktap wrote, reach the guest through our NBD server: the
    guest's sha256sum of each disk is the one the fixtures' README gives for that file."""
    session = qemu_xapid.login()
    x = session.xenapi
    sr = local_sr(x)
    expected = {"base.vhd": "85c8436213fd068c7065d193772a230ef95817be1bd06981cf89901851aa92af",
                "coalesced.vhd": "633ca3b8ddd00088dacc2e0362824e6216a6af56136c56ffdc86ab13ac15cd05"}
    vm = new_guest(x, "disk reader")
    serials = {}
    for device, name in enumerate(sorted(expected)):
        vdi = new_disk(x, sr, 32 * MIB, label=name)
        upload(qemu_xapid, session, vdi, os.path.join(VHD_FIXTURES, name), fmt="vhd")
        attach(x, vm, vdi, str(device))
        serials[x.VDI.get_uuid(vdi)[:20]] = expected[name]
    x.VM.start(vm, False, False)
    prefix = "swift-xapi test guest: disk "
    lines = wait_for("the guest to hash its disks", lambda: len(console_lines(qemu_xapid, x, vm, prefix)) == 2 and
                     console_lines(qemu_xapid, x, vm, prefix), timeout=120)
    seen = {}
    for line in lines:
        fields = line[len(prefix):].split()
        seen[fields[2]] = fields[4]
    assert seen == serials
    x.VM.clean_shutdown(vm)
    assert x.VM.get_power_state(vm) == "Halted"


def first_sector(xapid, session, vdi, tmp_path, name):
    path = str(tmp_path / name)
    download(xapid, session, vdi, path)
    with open(path, "rb") as image:
        return image.read(512)


def test_a_snapshot_of_a_running_guest_holds_its_disk_as_it_was(qemu_xapid, tmp_path):
    """The guest writes its disk every second while VM.snapshot runs: the disk is paused for the
    snapshot (as SM pauses tapdisk), so the snapshot holds one moment of it and never changes,
    while the guest's later writes go to the new leaf only."""
    session = qemu_xapid.login()
    x = session.xenapi
    vm = new_guest(x, "writer")
    x.VM.set_PV_args(vm, "console=ttyS0 quiet write_disks")
    vdi = new_disk(x, local_sr(x), 8 * MIB, label="written")
    attach(x, vm, vdi, "0")
    x.VM.start(vm, False, False)
    prefix = "swift-xapi test guest: wrote generation "

    def written():
        return max([int(line[len(prefix):].split()[0]) for line in console_lines(qemu_xapid, x, vm, prefix)] or [0])

    wait_for("the guest to write its disk", lambda: written() >= 3, timeout=120)
    snapshot = x.VM.snapshot(vm, "while writing")
    after = written()
    held = disk_of(x, snapshot)
    assert x.VDI.get_is_a_snapshot(held) and x.VDI.get_snapshot_of(held) == vdi
    first = first_sector(qemu_xapid, session, held, tmp_path, "first")
    assert first.startswith(b"swift-xapi generation ")
    generation = int(first.split()[2])
    assert 1 <= generation <= after + 1

    # Two snapshots of the disk at once: each pauses it, the disk goes on once both are done.
    def snapshot_disk(_):
        other = qemu_xapid.login()
        try:
            return other.xenapi.VDI.snapshot(vdi, {})
        finally:
            other.xenapi.session.logout()

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        pair = list(pool.map(snapshot_disk, range(2)))
    pair_sectors = [first_sector(qemu_xapid, session, disk, tmp_path, "pair%d" % index) for index, disk in enumerate(pair)]
    paired = written()

    wait_for("the guest to write on", lambda: written() >= paired + 3, timeout=60)
    assert first_sector(qemu_xapid, session, held, tmp_path, "second") == first
    assert [first_sector(qemu_xapid, session, disk, tmp_path, "pair-again%d" % index)
            for index, disk in enumerate(pair)] == pair_sectors
    assert all(after <= int(sector.split()[2]) <= paired + 1 for sector in pair_sectors)
    x.VM.hard_shutdown(vm)
    live = first_sector(qemu_xapid, session, vdi, tmp_path, "live")
    assert int(live.split()[2]) >= paired + 3

    # Snapshotting again, halted now, leaves both snapshots as they were.
    again = disk_of(x, x.VM.snapshot(vm, "halted"))
    assert first_sector(qemu_xapid, session, again, tmp_path, "again") == live
    assert first_sector(qemu_xapid, session, held, tmp_path, "third") == first


def test_disks_and_nics_are_plugged_into_and_out_of_a_running_guest(qemu_xapid):
    session = qemu_xapid.login()
    x = session.xenapi
    vm = new_guest(x, "hot plug")
    x.VM.start(vm, False, False)
    assert wait_for("the guest's address", lambda: guest_address(x, vm)) == "10.0.2.15"

    # A disk: VBD.plug puts it into the running guest, which reads it whole; VBD.unplug takes it out.
    vdi = new_disk(x, local_sr(x), 32 * MIB, label="hot")
    upload(qemu_xapid, session, vdi, os.path.join(VHD_FIXTURES, "base.vhd"), fmt="vhd")
    vbd = attach(x, vm, vdi, "1")
    assert not x.VBD.get_currently_attached(vbd)
    x.VBD.plug(vbd)
    assert x.VBD.get_currently_attached(vbd)
    serial = x.VDI.get_uuid(vdi)[:20]
    prefix = "swift-xapi test guest: disk "
    line = wait_for("the guest to see the disk", lambda: [
        line for line in console_lines(qemu_xapid, x, vm, prefix) if serial in line], timeout=60)[0]
    assert line.endswith("sha256 85c8436213fd068c7065d193772a230ef95817be1bd06981cf89901851aa92af")
    name = line[len(prefix):].split()[0]
    assert failure(x.VBD.plug, vbd)[0] == "DEVICE_ALREADY_ATTACHED"
    x.VBD.unplug(vbd)
    assert not x.VBD.get_currently_attached(vbd)
    wait_for("the guest to let the disk go", lambda: prefix + name + " gone" in console_lines(qemu_xapid, x, vm, prefix),
             timeout=60)
    assert not [entry for entry in os.listdir(run_folder(qemu_xapid, x, vm)) if entry.startswith("vbd1")]

    # A NIC: the guest brings it up and its agent reports the address it got there.
    vif = x.VIF.create({"device": "1", "network": management_network(x), "VM": vm, "MAC": "52:54:00:5e:ed:02",
                        "MTU": "1500", "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {}})
    x.VIF.plug(vif)
    assert x.VIF.get_currently_attached(vif)
    networks = lambda: x.VM_guest_metrics.get_networks(x.VM.get_guest_metrics(vm))
    assert wait_for("the second NIC's address", lambda: networks().get("1/ip")) == "10.0.2.15"
    x.VIF.unplug(vif)
    assert not x.VIF.get_currently_attached(vif)
    wait_for("the second NIC to leave the metrics", lambda: "1/ip" not in networks(), timeout=60)

    x.VM.clean_shutdown(vm)
    assert x.VM.get_power_state(vm) == "Halted"


def qmp_side_channel(xapid, x, vm, command):
    """Runs one QMP command on the VM's second monitor (xapid holds the first); returns its answer."""
    import socket
    connection = socket.socket(socket.AF_UNIX)
    connection.connect(os.path.join(run_folder(xapid, x, vm), "qmp-fd.sock"))
    lines = connection.makefile("rwb")
    lines.readline()
    for message in ({"execute": "qmp_capabilities"}, {"execute": command}):
        lines.write((json.dumps(message) + "\n").encode())
        lines.flush()
        reply = json.loads(lines.readline())
        while "event" in reply:
            reply = json.loads(lines.readline())
    connection.close()
    return reply.get("return")


def test_a_guests_balloon_follows_its_dynamic_range(qemu_xapid):
    x = qemu_xapid.login().xenapi
    vm = new_guest(x, "ballooned")
    x.VM.set_memory_limits(vm, str(128 * MIB), str(384 * MIB), str(192 * MIB), str(192 * MIB))
    x.VM.start(vm, False, False)
    overhead = int(x.VM.get_memory_overhead(vm))
    metrics = x.VM.get_metrics(vm)
    near = lambda value, mib: abs(int(value) - (mib * MIB + overhead)) <= MIB
    assert near(x.VM_metrics.get_memory_actual(metrics), 192)
    assert wait_for("the guest's address", lambda: guest_address(x, vm)) == "10.0.2.15"
    # QEMU gives the guest its static maximum; the balloon holds it at its dynamic maximum.
    balloon = lambda: qmp_side_channel(qemu_xapid, x, vm, "query-balloon")["actual"]
    assert wait_for("the balloon to hold the guest at 192 MiB", lambda: near(balloon(), 192), timeout=60)
    with open(os.path.join(run_folder(qemu_xapid, x, vm), "machine.json")) as record:
        arguments = json.load(record)["arguments"]
    assert arguments[arguments.index("-m") + 1] == str((384 * MIB + overhead + MIB - 1) // MIB)

    # A new dynamic range on the running guest is its new target, reached before the call returns.
    x.VM.set_memory_dynamic_range(vm, str(192 * MIB), str(320 * MIB))
    assert near(x.VM_metrics.get_memory_actual(metrics), 320) and near(balloon(), 320)
    x.VM.set_memory_dynamic_range(vm, str(160 * MIB), str(160 * MIB))
    assert near(x.VM_metrics.get_memory_actual(metrics), 160) and near(balloon(), 160)
    assert x.VM.get_memory_dynamic_max(vm) == str(160 * MIB)
    x.VM.clean_shutdown(vm)
    assert x.VM.get_power_state(vm) == "Halted"


def test_vcpus_are_plugged_into_a_running_guest_and_kept_across_a_migration(qemu_xapid):
    x = qemu_xapid.login().xenapi
    vm = new_guest(x, "vcpus")
    x.VM.set_VCPUs_max(vm, "2")
    x.VM.start(vm, False, False)
    assert wait_for("the guest's address", lambda: guest_address(x, vm)) == "10.0.2.15"
    prefix = "swift-xapi test guest: cpus "
    cpus = lambda: (console_lines(qemu_xapid, x, vm, prefix) or [""])[-1][len(prefix):]
    running = lambda: len(qmp_side_channel(qemu_xapid, x, vm, "query-cpus-fast"))
    assert wait_for("the guest to count its VCPUs", cpus) == "1" and running() == 1

    # A VCPU plugged in: QEMU has a second CPU and the guest brings it online.
    x.VM.set_VCPUs_number_live(vm, "2")
    assert x.VM.get_VCPUs_at_startup(vm) == "2" and running() == 2
    assert x.VM_metrics.get_VCPUs_number(x.VM.get_metrics(vm)) == "2"
    assert wait_for("the guest to run on two VCPUs", lambda: cpus() == "2", timeout=60)
    # Taking one away is refused (QEMU 7.2 cannot unplug a CPU safely): nothing changes.
    details = failure(x.VM.set_VCPUs_number_live, vm, "1")
    assert details[0] == "OPERATION_NOT_ALLOWED" and running() == 2 and x.VM.get_VCPUs_at_startup(vm) == "2"

    # The guest migrates to a process that starts with both.
    x.VM.pool_migrate(vm, x.VM.get_resident_on(vm), {"live": "true"})
    assert x.VM.get_power_state(vm) == "Running" and running() == 2
    assert wait_for("the guest's agent after the migration",
                    lambda: x.VM.get_guest_metrics(vm) != "OpaqueRef:NULL" and guest_address(x, vm)) == "10.0.2.15"
    assert not booted_here(qemu_xapid, x, vm)
    x.VM.clean_shutdown(vm)
    assert x.VM.get_power_state(vm) == "Halted"


def test_a_guest_that_reboots_itself_is_restarted_and_one_that_powers_off_is_halted(qemu_xapid):
    x = qemu_xapid.login().xenapi
    vm = new_guest(x, "restless")
    # Told to panic on an unknown NMI and to reboot a second after a panic.
    x.VM.set_PV_args(vm, "console=ttyS0 quiet unknown_nmi_panic=1 panic=1")
    x.VM.start(vm, False, False)
    assert wait_for("the guest's address", lambda: guest_address(x, vm)) == "10.0.2.15"
    domid = x.VM.get_domid(vm)

    # The guest reboots on its own: actions_after_reboot=restart, so xapid starts it again.
    qmp_side_channel(qemu_xapid, x, vm, "inject-nmi")
    wait_for("the guest to be restarted", lambda: x.VM.get_domid(vm) not in (domid, "-1"), timeout=120)
    assert x.VM.get_power_state(vm) == "Running"
    assert wait_for("the guest's address after its reboot", lambda: guest_address(x, vm)) == "10.0.2.15"

    # It powers off on its own (the power button, which its acpid answers): actions_after_shutdown=destroy.
    qmp_side_channel(qemu_xapid, x, vm, "system_powerdown")
    wait_for("the VM to be halted", lambda: x.VM.get_power_state(vm) == "Halted", timeout=120)
    assert x.VM.get_domid(vm) == "-1"


def ip(namespace, *arguments):
    return subprocess.run(["ip", "-n", namespace] + list(arguments), capture_output=True, text=True)


def bridge_ports(namespace, bridge):
    """The interfaces on the bridge, None when there is no such bridge."""
    listing = ip(namespace, "-o", "link", "show", "master", bridge)
    if listing.returncode != 0:
        return None
    return sorted(line.split(":")[1].strip().split("@")[0] for line in listing.stdout.splitlines())


def test_guests_on_an_internal_network_are_taps_on_its_bridge(netns_xapid):
    namespace = netns_xapid.namespace
    x = netns_xapid.login().xenapi
    lan = x.network.create({"name_label": "guest lan", "name_description": "", "MTU": "1500", "other_config": {}})
    bridge = x.network.get_bridge(lan)
    guests = []
    for number in (1, 2):
        vm = new_guest(x, "on the lan %d" % number)
        x.VM.set_PV_args(vm, "console=ttyS0 quiet static_eth1=192.168.77.%d/24" % number)
        x.VIF.create({"device": "1", "network": lan, "VM": vm, "MAC": "52:54:00:77:00:0%d" % number, "MTU": "1500",
                      "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {}})
        guests.append(vm)
    assert bridge_ports(namespace, bridge) is None  # made with the first interface on it
    for vm in guests:
        x.VM.start(vm, False, False)
    taps = ["vif%s.1" % x.VM.get_domid(vm) for vm in guests]
    assert bridge_ports(namespace, bridge) == sorted(taps)

    # The QEMU processes run in the namespace; the management network is still QEMU's user-mode one.
    namespace_inode = os.stat("/run/netns/" + namespace).st_ino
    assert all(os.stat("/proc/%d/ns/net" % qemu_pid(netns_xapid, x, vm)).st_ino == namespace_inode for vm in guests)
    networks = lambda vm: x.VM_guest_metrics.get_networks(x.VM.get_guest_metrics(vm)) \
        if x.VM.get_guest_metrics(vm) != "OpaqueRef:NULL" else {}
    for number, vm in enumerate(guests, 1):
        assert wait_for("the guest's address", lambda: guest_address(x, vm)) == "10.0.2.15"
        assert wait_for("its address on the lan", lambda: networks(vm).get("1/ip")) == "192.168.77.%d" % number

    # Both guests answer across the bridge, and it learnt each one's MAC on its own tap.
    assert ip(namespace, "addr", "add", "192.168.77.254/24", "dev", bridge).returncode == 0
    for number in (1, 2):
        ping = subprocess.run(["ip", "netns", "exec", namespace, "busybox", "ping", "-c", "2", "-W", "5", "192.168.77.%d" % number],
                              capture_output=True, text=True)
        assert ping.returncode == 0, ping.stdout + ping.stderr
    fdb = subprocess.run(["bridge", "-n", namespace, "fdb", "show", "br", bridge], capture_output=True, text=True).stdout
    for number, tap in enumerate(taps, 1):
        assert any(line.startswith("52:54:00:77:00:0%d dev %s " % (number, tap)) for line in fdb.splitlines()), fdb

    # Hot unplug takes the tap off the bridge; plugging it back puts a new one on.
    second = x.VM.get_VIFs(guests[1])
    vif = [v for v in second if x.VIF.get_device(v) == "1"][0]
    x.VIF.unplug(vif)
    assert bridge_ports(namespace, bridge) == [taps[0]]
    x.VIF.plug(vif)
    assert bridge_ports(namespace, bridge) == sorted(taps)

    # The bridge goes with the last interface on it, as xapi removes an internal network's.
    x.VM.hard_shutdown(guests[0])
    assert bridge_ports(namespace, bridge) == [taps[1]]
    x.VM.clean_shutdown(guests[1])
    assert bridge_ports(namespace, bridge) is None
    assert ip(namespace, "link", "show", "dev", taps[1]).returncode != 0
