"""Pool membership over the wire: `pool.designate_new_master` and `pool.eject` through the Python SDK
and `xe`, the ejected host gone for good after a restart of xapid."""
import os
import subprocess

from test_pool import hosts_of
from test_vm_lifecycle import failure, new_vm
from test_xe import XE


def test_designate_and_eject_through_the_sdk_survive_a_restart(start_xapid):
    xapid = start_xapid("--simulated-hosts", "3", "--simulated-host-memory", "20GiB")
    x = xapid.login().xenapi
    pool = x.pool.get_all()[0]
    coordinator, second, third = hosts_of(x)
    vm = new_vm(x, "runs-on-third")
    x.VM.start_on(vm, third, False, False)
    assert failure(x.pool.eject, third) == ["OPERATION_NOT_ALLOWED", "VM resident on host"]
    assert failure(x.pool.eject, coordinator)[0] == "OPERATION_NOT_ALLOWED"
    x.VM.pool_migrate(vm, second, {"live": "true"})

    x.pool.designate_new_master(third)
    assert x.pool.get_master(pool) == third
    x.pool.eject(coordinator)
    assert sorted(x.host.get_all()) == sorted([second, third])
    assert len(x.SR.get_by_name_label("Local storage")) == 2
    assert x.VM.get_power_state(vm) == "Running" and x.VM.get_resident_on(vm) == second

    xapid.stop()
    xapid.start()
    x = xapid.login().xenapi
    assert sorted(x.host.get_all()) == sorted([second, third]), "the ejected machine does not come back"
    assert x.pool.get_master(pool) == third
    assert x.VM.get_power_state(vm) == "Running" and x.VM.get_resident_on(vm) == second


def test_pool_eject_through_xe_warns_then_ejects(start_xapid, tmp_path):
    socket_path = str(tmp_path / "xapi.sock")
    xapid = start_xapid("--simulated-hosts", "2", "--unix-socket", socket_path)
    env = {"XE_SOCKET": socket_path, "PATH": os.environ["PATH"], "HOME": "/nonexistent"}
    x = xapid.login().xenapi
    coordinator, member = hosts_of(x)
    member_uuid = x.host.get_uuid(member)
    sr = x.PBD.get_SR(x.host.get_PBDs(member)[0])
    x.VDI.create({"name_label": "doomed disk", "SR": sr, "virtual_size": "1048576", "type": "user",
                  "sharable": False, "read_only": False, "other_config": {}})

    warned = subprocess.run([XE, "pool-eject", "host-uuid=" + member_uuid], input="no\n", capture_output=True,
                            text=True, env=env, timeout=120)
    assert "doomed disk" in warned.stdout, warned.stdout + warned.stderr
    assert len(x.host.get_all()) == 2, "not ejected without a yes"

    done = subprocess.run([XE, "pool-eject", "host-uuid=" + member_uuid, "--force"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert x.host.get_all() == [coordinator]
    gone = subprocess.run([XE, "pool-designate-new-master", "host-uuid=" + member_uuid], capture_output=True,
                          text=True, env=env, timeout=120)
    assert gone.returncode != 0 and "No object of the class has that UUID" in gone.stderr


def test_vm_groups_spread_an_anti_affinity_group_over_the_hosts(start_xapid):
    xapid = start_xapid("--simulated-hosts", "3", "--simulated-host-memory", "20GiB")
    x = xapid.login().xenapi
    hosts = hosts_of(x)
    group = x.VM_group.create({"name_label": "web", "name_description": "", "placement": "anti_affinity"})
    # Memory alone would put every member on the third host.
    for host in hosts[:2]:
        x.VM.start_on(new_vm(x, "ballast", memory=12 * 2**30), host, False, False)
    members = [new_vm(x, "web-%d" % index) for index in range(3)]
    for vm in members:
        x.VM.set_groups(vm, [group])
        x.VM.start(vm, False, False)
    assert sorted(x.VM_group.get_VMs(group)) == sorted(members)
    assert {x.VM.get_resident_on(vm) for vm in members} == set(hosts)
    x.VM.set_groups(members[0], [group, group])  # one group, named twice
    assert x.VM.get_groups(members[0]) == [group]
    other = x.VM_group.create({"name_label": "other", "name_description": "", "placement": "normal"})
    assert failure(x.VM.set_groups, members[0], [group, other]) == ["TOO_MANY_GROUPS"]
    x.VM_group.destroy(group)
    assert all(x.VM.get_groups(vm) == [] for vm in members)
