"""pool.join between two xapid processes, as XenCenter's "Add server" does it: the joining host checks
itself, the coordinator checks that it matches and runs its machine from then on, the joining host's
toolstack answers HOST_IS_SLAVE; an eject sends it back to being a pool of its own."""
import time

import XenAPI
import pytest

from test_host_upgrade import release_folder
from test_vm_lifecycle import GIB, failure, new_vm


def wait_for_login(xapid, deadline=60):
    end = time.monotonic() + deadline
    while True:
        try:
            return xapid.login()
        except (XenAPI.Failure, OSError):
            if time.monotonic() > end:
                raise
            time.sleep(0.2)


def test_join_run_vms_restart_and_eject(start_xapid):
    alpha = start_xapid("--simulated-hosts", "2", "--simulated-host-memory", "20GiB", "--hostname", "alpha")
    beta = start_xapid("--hostname", "beta", "--simulated-host-memory", "24GiB", "--login-failure-delay", "0")
    a = alpha.login().xenapi
    b = beta.login().xenapi
    address = "127.0.0.1:%d" % alpha.port
    beta_uuid = b.host.get_uuid(b.host.get_all()[0])

    assert failure(b.pool.join, address, "root", "wrong")[0] == "SESSION_AUTHENTICATION_FAILED"
    assert failure(b.pool.join, "127.0.0.1:1", "root", alpha.password) == ["JOINING_HOST_CONNECTION_FAILED"]
    own = new_vm(b, "beta's own")
    assert failure(b.pool.join, address, "root", alpha.password)[0] == "OPERATION_NOT_ALLOWED"
    b.VM.destroy(own)
    assert len(a.host.get_all()) == 2, "nothing admitted by the refused joins"

    b.pool.join(address, "root", alpha.password)
    with pytest.raises(XenAPI.Failure) as caught:
        beta.login()
    assert caught.value.details == ["HOST_IS_SLAVE", address]
    joined = a.host.get_by_uuid(beta_uuid)
    record = a.host.get_record(joined)
    assert len(a.host.get_all()) == 3 and record["name_label"] == "beta" and record["enabled"]
    ours, theirs = (a.host.get_software_version(h) for h in (joined, a.pool.get_master(a.pool.get_all()[0])))
    assert {k: ours[k] for k in ("product_version", "xapi_build")} == {k: theirs[k] for k in ("product_version", "xapi_build")}
    assert int(a.host_metrics.get_memory_total(record["metrics"])) == 24 * GIB, "the machine keeps its own memory"
    (pif,) = record["PIFs"]
    assert a.network.get_bridge(a.PIF.get_network(pif)) == "xenbr0"
    assert a.SR.get_name_label(a.PBD.get_SR(record["PBDs"][0])) == "Local storage"

    vm = new_vm(a, "on beta", memory=GIB)
    a.VM.start_on(vm, joined, False, False)
    other = next(h for h in a.host.get_all() if h != joined)
    a.VM.pool_migrate(vm, other, {"live": "true"})
    a.VM.pool_migrate(vm, joined, {"live": "true"})

    alpha.stop()
    beta.stop()
    alpha.start()
    beta.start()
    a = alpha.login().xenapi
    assert a.VM.get_resident_on(vm) == joined and a.VM.get_power_state(vm) == "Running"
    with pytest.raises(XenAPI.Failure) as caught:
        beta.login()
    assert caught.value.details[0] == "HOST_IS_SLAVE"

    assert failure(a.pool.eject, joined) == ["OPERATION_NOT_ALLOWED", "VM resident on host"]
    a.VM.hard_shutdown(vm)
    a.pool.eject(joined)
    assert len(a.host.get_all()) == 2
    b = wait_for_login(beta).xenapi
    (host,) = b.host.get_all()
    assert b.host.get_uuid(host) == beta_uuid, "the same machine, as a pool of its own"
    assert b.pool.get_master(b.pool.get_all()[0]) == host


def test_a_host_of_a_newer_release_cannot_join(start_xapid, tmp_path):
    alpha = start_xapid("--hostname", "alpha")
    beta = start_xapid("--hostname", "beta", "--simulated-boot-time", "0.2")
    b = beta.login().xenapi
    host = b.host.get_all()[0]
    b.host.disable(host)
    b.host.upgrade(host, release_folder(tmp_path))
    b = wait_for_login(beta).xenapi
    # Another platform version, as xapi answers it.
    assert failure(b.pool.join, "127.0.0.1:%d" % alpha.port, "root", alpha.password) == ["HOSTS_NOT_COMPATIBLE"]
    assert len(alpha.login().xenapi.host.get_all()) == 1


def test_pool_join_through_xe(start_xapid):
    from test_xe import XE
    import os
    import subprocess
    alpha = start_xapid("--hostname", "alpha", "--https-listen", "off")
    beta = start_xapid("--hostname", "beta", "--https-listen", "off")

    def xe(server, *args):
        return subprocess.run([XE, "-s", "127.0.0.1", "-p", str(server.port), "--nossl", "-u", "root", "-pw", server.password,
                               *args], capture_output=True, text=True, timeout=120,
                              env={"PATH": os.environ["PATH"], "HOME": "/nonexistent"})

    joined = xe(beta, "pool-join", "master-address=127.0.0.1:%d" % alpha.port, "master-username=root",
                "master-password=" + alpha.password)
    assert joined.returncode == 0, joined.stderr
    hosts = xe(alpha, "host-list", "params=name-label", "--minimal")
    assert sorted(hosts.stdout.strip().split(",")) == ["alpha", "beta"]
    refused = xe(beta, "vm-list")
    assert refused.returncode != 0 and "127.0.0.1:%d" % alpha.port in refused.stdout + refused.stderr
