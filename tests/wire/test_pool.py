"""A pool of four simulated hosts through the Python SDK: placement, live migration, evacuation,
host reboot rules, and VMs that keep running on every host across a restart of xapid."""
import XenAPI
import pytest

from test_vm_lifecycle import GIB, failure, new_vm


@pytest.fixture
def pool(start_xapid):
    return start_xapid("--simulated-hosts", "4", "--simulated-host-memory", "20GiB")


def hosts_of(x):
    """The coordinator first, then the members by name."""
    master = x.pool.get_master(x.pool.get_all()[0])
    members = sorted((h for h in x.host.get_all() if h != master), key=x.host.get_name_label)
    return [master] + members


def free_memory(x, host):
    return int(x.host_metrics.get_memory_free(x.host.get_metrics(host)))


def test_four_hosts_with_their_interfaces_and_local_storage(pool):
    x = pool.login().xenapi
    hosts = hosts_of(x)
    assert len(hosts) == 4
    (network,) = x.network.get_all()
    assert x.network.get_bridge(network) == "xenbr0"
    for host in hosts:
        record = x.host.get_record(host)
        assert record["enabled"] and len(record["PIFs"]) == 1 and len(record["host_CPUs"]) == 8
        assert free_memory(x, host) == 16 * GIB
        sr = x.PBD.get_SR(record["PBDs"][0])
        assert x.SR.get_name_label(sr) == "Local storage" and not x.SR.get_shared(sr)
        assert x.PIF.get_network(record["PIFs"][0]) == network
        assert x.VM.get_resident_on(record["control_domain"]) == host


def test_shared_storage_and_vms_held_by_local_storage(pool):
    """A pool of several hosts shares its default SR; a VM whose disk is on one host's local
    storage runs only there, as xapi's VM_REQUIRES_SR keeps it."""
    x = pool.login().xenapi
    hosts = hosts_of(x)
    pool_ref = x.pool.get_all()[0]
    shared = x.pool.get_default_SR(pool_ref)
    assert x.SR.get_name_label(shared) == "Shared storage" and x.SR.get_shared(shared)
    assert x.pool.get_suspend_image_SR(pool_ref) == shared
    assert sorted(x.PBD.get_host(p) for p in x.SR.get_PBDs(shared)) == sorted(hosts)
    assert all(x.PBD.get_currently_attached(p) for p in x.SR.get_PBDs(shared))

    owner = hosts[2]
    local = next(x.PBD.get_SR(p) for p in x.host.get_PBDs(owner) if x.SR.get_name_label(x.PBD.get_SR(p)) == "Local storage")
    vm = new_vm(x, "held")
    disk = x.VDI.create({"name_label": "held disk", "name_description": "", "SR": local, "virtual_size": str(GIB),
                         "type": "user", "sharable": False, "read_only": False, "other_config": {}})
    x.VBD.create({"VM": vm, "VDI": disk, "userdevice": "0", "bootable": True, "mode": "RW", "type": "Disk",
                  "empty": False, "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {}})
    other = hosts[1]
    assert failure(x.VM.assert_can_boot_here, vm, other) == ["VM_REQUIRES_SR", vm, local]
    assert failure(x.VM.start_on, vm, other, False, False) == ["VM_REQUIRES_SR", vm, local]
    assert x.VM.get_power_state(vm) == "Halted"
    for _ in range(2):
        x.VM.start(vm, False, False)
        assert x.VM.get_resident_on(vm) == owner, "only the host with the disk can run it"
        x.VM.hard_shutdown(vm)
    x.VM.start(vm, False, False)
    assert failure(x.VM.pool_migrate, vm, other, {"live": "true"}) == ["VM_REQUIRES_SR", vm, local]
    assert x.host.get_vms_which_prevent_evacuation(owner)[vm] == ["VM_REQUIRES_SR", vm, local]
    x.VM.suspend(vm)
    assert x.VDI.get_SR(x.VM.get_suspend_VDI(vm)) == shared
    assert failure(x.VM.resume_on, vm, other, False, False) == ["VM_REQUIRES_SR", vm, local]
    x.VM.resume(vm, False, False)
    assert x.VM.get_resident_on(vm) == owner

    # A VM on the shared SR goes anywhere.
    mobile = new_vm(x, "mobile")
    moving = x.VDI.create({"name_label": "mobile disk", "name_description": "", "SR": shared, "virtual_size": str(GIB),
                           "type": "user", "sharable": False, "read_only": False, "other_config": {}})
    x.VBD.create({"VM": mobile, "VDI": moving, "userdevice": "0", "bootable": True, "mode": "RW", "type": "Disk",
                  "empty": False, "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {}})
    x.VM.start_on(mobile, hosts[3], False, False)
    x.VM.pool_migrate(mobile, hosts[0], {"live": "true"})
    assert x.VM.get_resident_on(mobile) == hosts[0]


def test_placement_migration_and_evacuation(pool):
    x = pool.login().xenapi
    hosts = hosts_of(x)
    vms = []
    for index in range(6):
        vm = new_vm(x, "load-%d" % index, memory=(2 + index % 3) * GIB)
        x.VM.start(vm, False, False)
        vms.append(vm)
    assert len({x.VM.get_resident_on(vm) for vm in vms}) == 4, "starts spread over the hosts"
    vm = vms[0]
    source = x.VM.get_resident_on(vm)
    target = next(h for h in hosts if h != source)
    address = x.VM_guest_metrics.get_networks(x.VM.get_guest_metrics(vm))
    x.VM.pool_migrate(vm, target, {"live": "true"})
    assert x.VM.get_resident_on(vm) == target and x.VM.get_power_state(vm) == "Running"
    assert x.VM_guest_metrics.get_networks(x.VM.get_guest_metrics(vm)) == address

    big = new_vm(x, "big", memory=17 * GIB)
    assert failure(x.VM.start, big, False, False)[0] == "HOST_NOT_ENOUGH_FREE_MEMORY"
    assert failure(x.VM.start_on, big, hosts[1], False, False) == [
        "HOST_NOT_ENOUGH_FREE_MEMORY", str(17 * GIB + int(x.VM.get_memory_overhead(big))), str(free_memory(x, hosts[1]))]
    assert failure(x.VM.pool_migrate, vm, "OpaqueRef:nonsense", {}) == ["HANDLE_INVALID", "host", "OpaqueRef:nonsense"]

    evacuated = hosts[1]
    on_it = [v for v in vms if x.VM.get_resident_on(v) == evacuated]
    assert on_it, "the host has VMs to move"
    assert x.host.get_vms_which_prevent_evacuation(evacuated) == {}
    x.host.disable(evacuated)
    x.host.evacuate(evacuated)
    for v in on_it:
        assert x.VM.get_resident_on(v) not in (evacuated, "OpaqueRef:NULL")
        assert x.VM.get_power_state(v) == "Running"
    for host in hosts:
        assert free_memory(x, host) >= 0
        assert int(x.host.compute_free_memory(host)) == free_memory(x, host)
    assert failure(x.VM.start_on, big, evacuated, False, False) == ["HOST_DISABLED", evacuated]
    x.host.reboot(evacuated)
    assert x.host_metrics.get_live(x.host.get_metrics(evacuated)) is False

    deaf = new_vm(x, "deaf", agent=False)
    x.VM.start_on(deaf, hosts[2], False, False)
    reasons = x.host.get_vms_which_prevent_evacuation(hosts[2])
    assert reasons[deaf] == ["VM_LACKS_FEATURE", deaf]
    assert failure(x.host.assert_can_evacuate, hosts[2])[0] == "CANNOT_EVACUATE_HOST"
    assert failure(x.host.reboot, hosts[2]) == ["HOST_NOT_DISABLED"]


def test_vms_on_every_host_keep_running_across_a_restart(pool):
    x = pool.login().xenapi
    hosts = hosts_of(x)
    placed = {}
    for host in hosts:
        vm = new_vm(x, "keep-" + x.host.get_name_label(host))
        x.VM.start_on(vm, host, False, False)
        placed[vm] = (host, x.VM.get_domid(vm))
    pool.stop()
    pool.start()
    y = pool.login().xenapi
    assert hosts_of(y) == hosts, "the same machines come back"
    for vm, (host, domid) in placed.items():
        assert y.VM.get_power_state(vm) == "Running"
        assert (y.VM.get_resident_on(vm), y.VM.get_domid(vm)) == (host, domid)


def test_demo_pool_is_live_at_once(start_xapid):
    """The README's main job: three hosts and VMs installed from templates, running, with addresses."""
    demo = start_xapid("--demo")
    x = demo.login().xenapi
    assert len(x.host.get_all()) == 3
    vms = {ref: r for ref, r in x.VM.get_all_records().items() if not r["is_a_template"] and not r["is_control_domain"]}
    running = [r for r in vms.values() if r["power_state"] == "Running"]
    assert len(vms) >= 5 and len(running) >= 4
    assert len({r["resident_on"] for r in running}) >= 2, "placement spread them"
    for record in running:
        assert x.VM_guest_metrics.get_networks(record["guest_metrics"])["0/ip"].startswith("198.18.")
        assert len(record["VBDs"]) >= 1 and len(record["VIFs"]) == 1
    demo.stop()
    demo.start()
    y = demo.login().xenapi
    again = [r for r in y.VM.get_all_records().values() if not r["is_a_template"] and not r["is_control_domain"]]
    assert len(again) == len(vms), "a restart keeps the demo's VMs and adds none"


KINDS = ["Windows Server 2022 (64-bit)", "Windows 11", "Debian Bookworm 12", "Ubuntu Noble Numbat 24.04",
         "Red Hat Enterprise Linux 9", "Rocky Linux 9", "SUSE Linux Enterprise 15 (64-bit)", "Other install media"]


def install(x, template_name, name):
    """What `xe vm-install` does: clone the template, put its disks on the default SR, provision."""
    (template,) = x.VM.get_by_name_label(template_name)
    vm = x.VM.clone(template, name)
    sr_uuid = x.SR.get_uuid(x.pool.get_default_SR(x.pool.get_all()[0]))
    other = x.VM.get_other_config(vm)
    if "disks" in other:
        x.VM.remove_from_other_config(vm, "disks")
        x.VM.add_to_other_config(vm, "disks", other["disks"].replace('sr=""', 'sr="%s"' % sr_uuid))
    x.VM.provision(vm)
    (network,) = x.network.get_all()
    x.VIF.create({"device": "0", "network": network, "VM": vm, "MAC": "", "MTU": "1500", "other_config": {},
                  "qos_algorithm_type": "", "qos_algorithm_params": {}})
    return vm


def test_install_from_each_kind_of_template(pool):
    x = pool.login().xenapi
    hosts = hosts_of(x)
    for index, kind in enumerate(KINDS):
        vm = install(x, kind, "kind-%d" % index)
        record = x.VM.get_record(vm)
        assert not record["is_a_template"] and record["other_config"]["base_template_name"] == kind
        assert len(record["VBDs"]) == (0 if kind == "Other install media" else 1)
        x.VM.start(vm, False, False)
        assert x.VM_guest_metrics.get_networks(x.VM.get_guest_metrics(vm))["0/ip"].startswith("198.18.")
        source = x.VM.get_resident_on(vm)
        target = next(h for h in hosts if h != source)
        x.VM.pool_migrate(vm, target, {"live": "true"})
        assert x.VM.get_resident_on(vm) == target
        x.VM.suspend(vm)
        assert x.VM.get_power_state(vm) == "Suspended"
        x.VM.resume_on(vm, source, False, False)
        assert x.VM.get_resident_on(vm) == source
        x.VM.shutdown(vm)
        x.VM.destroy(vm)
        assert x.VM.get_by_name_label("kind-%d" % index) == []


def test_errors_with_their_arguments(pool):
    x = pool.login().xenapi
    hosts = hosts_of(x)
    (debian,) = x.VM.get_by_name_label("Debian Bookworm 12")
    assert failure(x.VM.start, debian, False, False) == ["VM_IS_TEMPLATE", debian, "start"]
    vm = install(x, "Debian Bookworm 12", "errors")
    assert failure(x.VM.provision, vm) == ["PROVISION_ONLY_ALLOWED_ON_TEMPLATE"]
    assert failure(x.VM.set_VCPUs_at_startup, vm, "9") == [
        "INVALID_VALUE", "VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max", "9"]
    assert failure(x.VM.set_memory_limits, vm, str(GIB), str(GIB), str(2 * GIB), str(GIB)) == [
        "MEMORY_CONSTRAINT_VIOLATION_ORDER"]
    (network,) = x.network.get_all()
    vif = {"device": "1", "network": network, "VM": vm, "MAC": "nonsense", "MTU": "1500", "other_config": {},
           "qos_algorithm_type": "", "qos_algorithm_params": {}}
    assert failure(x.VIF.create, vif) == ["MAC_INVALID", "nonsense"]
    assert failure(x.VIF.create, dict(vif, device="0", MAC="")) == ["DEVICE_ALREADY_EXISTS", "0"]
    assert failure(x.VIF.create, dict(vif, device="7", MAC="")) == ["INVALID_DEVICE", "7"], "the template allows 7 VIFs"
    assert x.VM.get_allowed_VIF_devices(vm) == ["1", "2", "3", "4", "5", "6"]
    x.VM.start_on(vm, hosts[0], False, False)
    assert failure(x.VM.clean_reboot, debian) == ["VM_BAD_POWER_STATE", debian, "running", "halted"], "state first, as xapi checks"
    assert failure(x.VM.set_VCPUs_max, vm, "4") == ["VM_BAD_POWER_STATE", vm, "halted", "running"]
    assert failure(x.VM.resume, vm, False, False) == ["VM_BAD_POWER_STATE", vm, "suspended", "running"]
    x.VM.add_to_blocked_operations(vm, "pool_migrate", "maintenance window")
    assert failure(x.VM.pool_migrate, vm, hosts[1], {}) == ["OPERATION_BLOCKED", vm, "maintenance window"]
    x.host.disable(hosts[0])
    assert failure(x.host.evacuate, hosts[0]) == ["OPERATION_BLOCKED", vm, "maintenance window"]
    x.VM.remove_from_blocked_operations(vm, "pool_migrate")
    x.host.evacuate(hosts[0])
    assert x.VM.get_resident_on(vm) != hosts[0]
    assert failure(x.host.apply_edition, hosts[0], "gold") == ["INVALID_EDITION", "gold"]
    assert failure(x.pool.apply_edition, x.pool.get_all()[0], "trial") == ["LICENCE_RESTRICTION", "Pool_size"]
