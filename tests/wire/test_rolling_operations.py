"""Rolling operations the server runs: a 4-host simulated pool upgraded through the SDK and
through `xe`, one run that survives a restart of xapid in the middle, and a rolling update
over the update fixtures. Every VM keeps running; the runs are followed with event.from."""
import os
import subprocess

from test_host_upgrade import release_folder
from test_updates import NORMAL_1, introduce_channel, scenario, server, keys, start_pool  # noqa: F401 (fixtures)
from test_vm_lifecycle import GIB, failure, new_vm
from test_xe import XE

FINISHED = ("pending", "done", "failed", "skipped")


def load_pool(x, per_host=2, memory=2 * GIB):
    """Running VMs on every host; returns {vm: host}."""
    placed = {}
    for index, host in enumerate(sorted(x.host.get_all())):
        for n in range(per_host):
            vm = new_vm(x, "load-%d-%d" % (index, n), memory=memory)
            x.VM.start_on(vm, host, False, False)
            placed[vm] = host
    return placed


def wait_for_run(x, run, timeout=300):
    """Follows the run with event.from until it stops; returns its record."""
    token = ""
    while True:
        record = x.Rolling_operation.get_record(run)
        under_way = any(state not in FINISHED for state in record["host_states"].values())
        if record["status"] != "running" and not (record["status"] == "aborted" and under_way):
            return record
        batch = x.event_from(["rolling_operation/" + run], token, 30.0)
        token = batch["token"]


def test_rolling_upgrade_of_a_four_host_pool_through_the_api(start_xapid, tmp_path):
    xapid = start_xapid("--simulated-hosts", "4", "--simulated-host-memory", "20GiB", "--simulated-boot-time", "0.2")
    x = xapid.login().xenapi
    pool = x.pool.get_all()[0]
    master = x.pool.get_master(pool)
    placed = load_pool(x)
    source = release_folder(tmp_path)
    assert failure(x.pool.plan_rolling_operation, pool, "upgrade", {}) == ["INVALID_VALUE", "source", ""]
    run = x.pool.plan_rolling_operation(pool, "upgrade", {"source": source})
    assert x.Rolling_operation.get_status(run) == "planned"
    assert x.Rolling_operation.get_prechecks(run) == []
    x.Rolling_operation.start(run)
    assert failure(x.Rolling_operation.start, run)[0] == "ROLLING_OPERATION_STATUS_INVALID"
    record = wait_for_run(x, run)
    assert record["status"] == "done", record
    assert set(record["host_states"].values()) == {"done"}
    for host in x.host.get_all():
        assert x.host.get_software_version(host)["product_version"] == "8.5.0"
        assert x.host.get_enabled(host)
    assert "rolling_upgrade_in_progress" not in x.pool.get_other_config(pool)
    assert all(x.VM.get_power_state(vm) == "Running" for vm in placed)
    # The coordinator went first, a database dump was kept, and each VM moved once at most
    # beyond the lower bound.
    timeline = record["timeline"]
    first_done = next(line for line in timeline if line.endswith(" done") and " " + x.host.get_uuid(master) + " " in line + " ")
    assert all(timeline.index(first_done) < timeline.index(line) for line in timeline
               if line.endswith(" applying") and x.host.get_uuid(master) not in line)
    assert os.path.exists(record["database_backup"])
    assert len(record["moves_made"]) == int(record["bounds"]["migrations_lower_bound"])
    assert failure(x.Rolling_operation.pause, run)[0] == "ROLLING_OPERATION_STATUS_INVALID"


def test_rolling_upgrade_through_xe(start_xapid, tmp_path):
    socket_path = str(tmp_path / "xapi.sock")
    xapid = start_xapid("--simulated-hosts", "4", "--simulated-host-memory", "20GiB", "--simulated-boot-time", "0.2",
                        "--unix-socket", socket_path)
    x = xapid.login().xenapi
    placed = load_pool(x)
    env = {"XE_SOCKET": socket_path, "PATH": os.environ["PATH"]}

    def xe(*args):
        return subprocess.run([XE, *args], capture_output=True, text=True, env=env, timeout=300)

    plan = xe("rolling-operation-plan", "kind=upgrade", "source=" + release_folder(tmp_path), "max-unavailable=2")
    assert plan.returncode == 0, plan.stderr
    lines = plan.stdout.splitlines()
    run_uuid = lines[0]
    assert "status: planned" in lines and any(line.startswith("wave 1: ") for line in lines)
    assert any(line.startswith("migrations: ") for line in lines)
    status = xe("rolling-operation-status")
    assert status.returncode == 0 and "status: planned" in status.stdout
    started = xe("rolling-operation-start", "uuid=" + run_uuid)
    assert started.returncode == 0, started.stderr
    # The host-by-host progress was printed as it happened, then the final state.
    assert "started" in started.stdout and " evacuating" in started.stdout and " verifying" in started.stdout
    assert "status: done" in started.stdout
    for host in x.host.get_all():
        assert x.host.get_software_version(host)["product_version"] == "8.5.0"
    assert all(x.VM.get_power_state(vm) == "Running" for vm in placed)
    again = xe("rolling-operation-pause", "uuid=" + run_uuid)
    assert again.returncode != 0 and "status: done" in again.stderr


def test_a_run_survives_a_restart_of_xapid(start_xapid, tmp_path):
    xapid = start_xapid("--simulated-hosts", "4", "--simulated-host-memory", "20GiB", "--simulated-boot-time", "1",
                        teardown="kill")
    x = xapid.login().xenapi
    pool = x.pool.get_all()[0]
    placed = load_pool(x)
    run = x.pool.plan_rolling_operation(pool, "upgrade", {"source": release_folder(tmp_path), "max_unavailable": "1"})
    x.Rolling_operation.start(run)
    # Kill it while the coordinator is being upgraded.
    token = ""
    master = x.pool.get_master(pool)
    while x.Rolling_operation.get_host_states(run).get(master) not in ("applying", "rebooting"):
        token = x.event_from(["rolling_operation/" + run], token, 30.0)["token"]
    xapid.kill()
    xapid.start()
    x = xapid.login().xenapi
    record = wait_for_run(x, run)
    assert record["status"] == "done", record
    for host in x.host.get_all():
        assert x.host.get_software_version(host)["product_version"] == "8.5.0"
        assert x.host.get_enabled(host)
    assert all(x.VM.get_power_state(vm) == "Running" for vm in placed)
    assert "rolling_upgrade_in_progress" not in x.pool.get_other_config(pool)


def test_rolling_update_over_the_fixtures(start_xapid, keys, server):  # noqa: F811 (fixtures)
    xapid = start_pool(start_xapid, keys, hosts=4, extra=("--simulated-boot-time", "0.2"))
    x = xapid.login().xenapi
    pool = x.pool.get_all()[0]
    placed = load_pool(x, memory=GIB)
    introduce_channel(x, server, "normal-1")
    assert x.pool.sync_updates(pool, False, "", "") == NORMAL_1
    stale = x.pool.plan_rolling_operation(pool, "update", {"hash": "0" * 64})
    assert any("UPDATEINFO_HASH_MISMATCH" in line for line in x.Rolling_operation.get_prechecks(stale))
    assert failure(x.Rolling_operation.start, stale)[0] == "ROLLING_OPERATION_BLOCKED"
    run = x.pool.plan_rolling_operation(pool, "update", {"hash": NORMAL_1})
    x.Rolling_operation.start(run)
    record = wait_for_run(x, run)
    assert record["status"] == "done", (record["error"], record["timeline"])
    fresh = scenario("fresh-normal-1")
    for host in x.host.get_all():
        host_record = x.host.get_record(host)
        assert host_record["latest_synced_updates_applied"] == "yes"
        assert host_record["last_update_hash"] == NORMAL_1
        assert host_record["pending_guidances"] == []
        assert host_record["enabled"]
    # The fixtures' update needs each host evacuated (then its toolstack restarted): every host
    # was emptied, and every VM kept running.
    if "EvacuateHost" in fresh["updates_host_entry"]["guidance"]["mandatory"]:
        assert len(record["moves_made"]) >= len(placed)
    assert all(x.VM.get_power_state(vm) == "Running" for vm in placed)
