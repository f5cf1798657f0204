"""Upgrading a simulated pool by hand, as the upgrade documents describe, through the SDK and
xe: coordinator first (a member first is refused), VMs kept running by migration old → new,
the mixed-version rules while versions differ, and the pool whole again at the end."""
import json
import os
import subprocess

from test_vm_lifecycle import GIB, failure, new_vm
from test_xe import XE


def release_folder(tmp_path):
    folder = tmp_path / "xs-8.5"
    folder.mkdir()
    (folder / "release.json").write_text(json.dumps({
        "product_version": "8.5.0", "platform_version": "3.5.0", "xapi_version": "26.1.0",
        "build_number": "release/next/26.1.0/7", "packages": ["xapi-core-26.1.0-1.1.xs8.x86_64.rpm"]}))
    return str(folder)


def test_upgrade_the_pool_host_by_host(start_xapid, tmp_path):
    socket_path = str(tmp_path / "xapi.sock")
    xapid = start_xapid("--simulated-hosts", "3", "--simulated-host-memory", "20GiB", "--simulated-boot-time", "0.2",
                        "--unix-socket", socket_path)
    x = xapid.login().xenapi
    pool = x.pool.get_all()[0]
    master = x.pool.get_master(pool)
    members = sorted(h for h in x.host.get_all() if h != master)
    source = release_folder(tmp_path)
    vms = []
    for index, host in enumerate([master] + members):
        vm = new_vm(x, "guest-%d" % index, memory=GIB)
        x.VM.start_on(vm, host, False, False)
        vms.append(vm)
    x.host.disable(members[0])
    assert failure(x.host.upgrade, members[0], source) == ["UPGRADE_COORDINATOR_FIRST", members[0], "8.5.0", "8.4.0"]
    x.host.enable(members[0])

    sr = x.pool.get_default_SR(pool)
    disk = x.VDI.create({"name_label": "data", "SR": sr, "virtual_size": str(GIB), "type": "user", "sharable": False,
                         "read_only": False, "other_config": {}})
    x.host.disable(master)
    x.host.evacuate(master)
    x.host.upgrade(master, source)
    assert x.host.get_software_version(master)["product_version"] == "8.5.0"
    assert x.pool.get_other_config(pool)["rolling_upgrade_in_progress"] == "true"
    assert x.host.get_enabled(master)
    # Old → new only; new VMs start on the upgraded coordinator.
    moved = [vm for vm in vms if x.VM.get_resident_on(vm) != master][0]
    x.VM.pool_migrate(moved, master, {"live": "true"})
    assert failure(x.VM.pool_migrate, moved, members[1], {"live": "true"}) == ["NOT_SUPPORTED_DURING_UPGRADE"]
    late = new_vm(x, "started mid-upgrade", memory=GIB)
    x.VM.start(late, False, False)
    assert x.VM.get_resident_on(late) == master
    # The allow-lists, as clients see them: no snapshots, no disk made or grown; hosts report
    # only what every release understands.
    allowed = x.VM.get_allowed_operations(late)
    assert "pool_migrate" in allowed and "clean_shutdown" in allowed and "snapshot" not in allowed
    assert failure(x.VM.snapshot, late, "before") == ["NOT_SUPPORTED_DURING_UPGRADE"]
    assert "vdi_create" not in x.SR.get_allowed_operations(sr) and "scan" in x.SR.get_allowed_operations(sr)
    assert not {"destroy", "resize", "snapshot"} & set(x.VDI.get_allowed_operations(disk))
    assert set(x.host.get_allowed_operations(members[0])) <= {"evacuate", "provision"}

    env = {"XE_SOCKET": socket_path, "PATH": os.environ["PATH"]}
    for member in members:
        x.host.disable(member)
        x.host.evacuate(member)
        done = subprocess.run([XE, "host-upgrade", "uuid=" + x.host.get_uuid(member), "source=" + source],
                              capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        assert x.host.get_software_version(member)["xapi"] == "26.1"
    assert "rolling_upgrade_in_progress" not in x.pool.get_other_config(pool)
    assert all(x.VM.get_power_state(vm) == "Running" for vm in vms + [late])
    assert "snapshot" in x.VM.get_allowed_operations(late) and "vdi_create" in x.SR.get_allowed_operations(sr)
    assert "resize" in x.VDI.get_allowed_operations(disk)


def test_plan_a_rolling_operation_as_a_dry_run(start_xapid):
    """`pool.plan_rolling_operation`: a Rolling_operation record with the plan (coordinator first,
    waves, moves, lower bounds, ETA) and nothing moved; a new plan replaces one not started."""
    xapid = start_xapid("--simulated-hosts", "4", "--simulated-host-memory", "20GiB")
    x = xapid.login().xenapi
    pool = x.pool.get_all()[0]
    master = x.pool.get_master(pool)
    placed = {}
    for index, host in enumerate(sorted(x.host.get_all())):
        for n in range(3):
            vm = new_vm(x, "load-%d-%d" % (index, n), memory=2 * GIB)
            x.VM.start_on(vm, host, False, False)
            placed[vm] = host
    assert failure(x.pool.plan_rolling_operation, pool, "reboot", {"headroom_percent": "120"}) == [
        "INVALID_VALUE", "headroom_percent", "120"]
    run = x.pool.plan_rolling_operation(pool, "reboot", {"remediation_seconds": "600"})
    record = x.Rolling_operation.get_record(run)
    assert record["status"] == "planned" and record["kind"] == "reboot"
    assert record["hosts"][0] == master and sorted(record["hosts"]) == sorted(x.host.get_all())
    assert set(record["host_states"].values()) == {"pending"}
    assert record["waves"][0] == x.host.get_uuid(master)
    bounds = record["bounds"]
    # Every VM leaves its host once, the coordinator's three twice (no host is current yet): 15.
    assert int(bounds["migrations"]) == len(record["planned_moves"]) >= int(bounds["migrations_lower_bound"]) == 15
    assert int(bounds["makespan"]) >= int(bounds["makespan_lower_bound"]) > 0
    vm_uuids = {x.VM.get_uuid(vm) for vm in placed}
    assert all(move.split(":")[1] in vm_uuids for move in record["planned_moves"])
    assert record["error"] == [] and record["moves_made"] == []
    # A dry run: every VM is where it was.
    assert all(x.VM.get_resident_on(vm) == host for vm, host in placed.items())
    again = x.pool.plan_rolling_operation(pool, "reboot", {"max_unavailable": "1"})
    assert x.Rolling_operation.get_all() == [again]
    assert x.Rolling_operation.get_bounds(again)["max_unavailable"] == "1"
