"""VM power operations through the Python SDK, on the simulated hypervisor."""
import XenAPI
import pytest

GIB = 1 << 30


def new_vm(x, label, memory=GIB, agent=True):
    record = {
        "name_label": label, "name_description": "", "user_version": "1", "is_a_template": False,
        "affinity": "OpaqueRef:NULL", "memory_static_max": str(memory), "memory_dynamic_max": str(memory),
        "memory_dynamic_min": str(memory), "memory_static_min": str(memory), "VCPUs_params": {},
        "VCPUs_max": "1", "VCPUs_at_startup": "1", "actions_after_shutdown": "destroy",
        "actions_after_reboot": "restart", "actions_after_crash": "restart", "PV_bootloader": "pygrub",
        "PV_kernel": "", "PV_ramdisk": "", "PV_args": "", "PV_bootloader_args": "", "PV_legacy_args": "",
        "HVM_boot_policy": "", "HVM_boot_params": {}, "platform": {}, "PCI_bus": "",
        "other_config": {} if agent else {"simulated-guest-agent": "false"}, "recommendations": "",
    }
    return x.VM.create(record)


def failure(call, *args):
    with pytest.raises(XenAPI.Failure) as caught:
        call(*args)
    return caught.value.details


def test_start_pause_shutdown(session):
    x = session.xenapi
    vm = new_vm(x, "wire-vm")
    assert x.VM.get_power_state(vm) == "Halted"
    assert x.VM.get_domid(vm) == "-1"
    assert sorted(x.VM.get_allowed_operations(vm)) == [
        "changing_VCPUs", "changing_dynamic_range", "changing_memory_limits", "changing_static_range", "clone", "copy",
        "destroy", "snapshot", "start", "start_on"]
    network = x.network.create({"name_label": "wire-lan", "name_description": "", "MTU": "1500", "other_config": {}})
    x.VIF.create({"device": "0", "network": network, "VM": vm, "MAC": "", "MTU": "1500", "other_config": {},
                  "qos_algorithm_type": "", "qos_algorithm_params": {}})
    x.VM.start(vm, False, False)
    # What Ansible's wait_for_ip_address reads.
    guest = x.VM_guest_metrics.get_record(x.VM.get_guest_metrics(vm))
    assert guest["networks"]["0/ip"].startswith("198.18.")
    record = x.VM.get_record(vm)
    assert record["power_state"] == "Running"
    assert record["resident_on"] == x.pool.get_master(x.pool.get_all()[0])
    assert int(record["domid"]) > 0
    assert sorted(record["allowed_operations"]) == [
        "changing_VCPUs_live", "changing_dynamic_range", "clean_reboot", "clean_shutdown", "hard_reboot", "hard_shutdown",
        "pause", "pool_migrate", "shutdown", "snapshot", "suspend"]
    assert failure(x.VM.start, vm, False, False) == ["VM_BAD_POWER_STATE", vm, "halted", "running"]
    assert failure(x.VM.destroy, vm) == ["VM_BAD_POWER_STATE", vm, "halted, suspended", "running"]
    x.VM.pause(vm)
    assert x.VM.get_power_state(vm) == "Paused"
    x.VM.unpause(vm)
    domid = x.VM.get_domid(vm)
    x.VM.clean_reboot(vm)
    assert x.VM.get_power_state(vm) == "Running" and x.VM.get_domid(vm) != domid
    x.VM.suspend(vm)
    assert x.VM.get_power_state(vm) == "Suspended"
    x.VM.resume(vm, False, False)
    assert x.VM.get_power_state(vm) == "Running"
    x.VM.clean_shutdown(vm)
    assert x.VM.get_power_state(vm) == "Halted"
    assert x.VM.get_domid(vm) == "-1"
    assert x.VM.get_guest_metrics(vm) == "OpaqueRef:NULL"
    for vif in x.VM.get_VIFs(vm):
        x.VIF.destroy(vif)
    x.VM.destroy(vm)
    x.network.destroy(network)


def test_async_start_and_refusals(session):
    x = session.xenapi
    deaf = new_vm(x, "wire-deaf", agent=False)
    task = x.Async.VM.start(deaf, False, False)
    while x.task.get_status(task) == "pending":
        x.event_from(["task/" + task], "", 5.0)
    assert x.task.get_status(task) == "success"
    assert failure(x.VM.clean_shutdown, deaf) == ["VM_MISSING_PV_DRIVERS", deaf]
    x.VM.shutdown(deaf)  # falls back to a hard shutdown
    assert x.VM.get_power_state(deaf) == "Halted"
    host = x.pool.get_master(x.pool.get_all()[0])
    assert int(x.host.compute_free_memory(host)) > 0
    assert str(x.host.get_servertime(host)).startswith("20")
    huge = new_vm(x, "wire-huge", memory=1024 * GIB)
    details = failure(x.VM.start, huge, False, False)
    assert details[:2] == ["HOST_NOT_ENOUGH_FREE_MEMORY", str(1024 * GIB + int(x.VM.get_memory_overhead(huge)))]
    for vm in (deaf, huge):
        x.VM.destroy(vm)


def test_running_vms_keep_running_across_a_restart(fresh_server):
    """Simulated domains live in the data folder, as a real hypervisor's outlive its toolstack."""
    x = fresh_server.login().xenapi
    vm = new_vm(x, "wire-survivor")
    x.VM.start(vm, False, False)
    domid = x.VM.get_domid(vm)
    halted = new_vm(x, "wire-halted")
    fresh_server.stop()
    fresh_server.start()
    y = fresh_server.login().xenapi
    assert y.VM.get_power_state(vm) == "Running"
    assert y.VM.get_domid(vm) == domid
    assert y.VM.get_power_state(halted) == "Halted"
    y.VM.hard_shutdown(vm)
    y.VM.start(halted, False, False)
    assert int(y.VM.get_domid(halted)) > int(domid), "domain ids are never reused"


def test_a_running_vms_dynamic_range_is_its_balloon_target(session):
    x = session.xenapi
    vm = new_vm(x, "ballooned", memory=2 * GIB)
    x.VM.set_memory_limits(vm, str(GIB), str(2 * GIB), str(GIB), str(GIB))
    x.VM.start(vm, False, False)
    host = x.VM.get_resident_on(vm)
    metrics = x.VM.get_metrics(vm)
    overhead = int(x.VM.get_memory_overhead(vm))
    assert int(x.VM_metrics.get_memory_actual(metrics)) == GIB + overhead
    free = int(x.host.compute_free_memory(host))

    # Growing within static_max takes the growth from the host; shrinking gives it back.
    x.VM.set_memory_dynamic_range(vm, str(GIB), str(GIB + GIB // 2))
    assert int(x.VM_metrics.get_memory_actual(metrics)) == GIB + GIB // 2 + overhead
    assert int(x.host.compute_free_memory(host)) == free - GIB // 2
    assert failure(x.VM.set_memory_dynamic_range, vm, str(GIB), str(3 * GIB)) == ["MEMORY_CONSTRAINT_VIOLATION_ORDER"]
    x.VM.set_memory_dynamic_range(vm, str(GIB), str(GIB))
    assert int(x.VM_metrics.get_memory_actual(metrics)) == GIB + overhead
    assert int(x.host.compute_free_memory(host)) == free

    # More than the host has left: refused, and the VM's limits are as they were.
    huge = new_vm(x, "too big to grow", memory=GIB)
    x.VM.set_memory_limits(huge, str(GIB), str(128 * GIB), str(GIB), str(GIB))
    x.VM.start(huge, False, False)
    details = failure(x.VM.set_memory_dynamic_range, huge, str(GIB), str(128 * GIB))
    assert details[0] == "HOST_NOT_ENOUGH_FREE_MEMORY"
    assert x.VM.get_memory_dynamic_max(huge) == str(GIB)
    # Static limits still need the VM halted.
    assert failure(x.VM.set_memory_static_range, vm, str(GIB), str(2 * GIB))[0] == "VM_BAD_POWER_STATE"
    for each in (vm, huge):
        x.VM.hard_shutdown(each)


def test_a_suspended_vms_image_is_a_suspend_vdi_in_its_suspend_sr(session):
    x = session.xenapi
    pool = x.pool.get_all()[0]
    vm = new_vm(x, "suspend image", memory=GIB)
    x.VM.start(vm, False, False)
    host = x.VM.get_resident_on(vm)
    sr = x.pool.get_suspend_image_SR(pool)
    assert sr != "OpaqueRef:NULL"

    x.VM.suspend(vm)
    image = x.VM.get_suspend_VDI(vm)
    record = x.VDI.get_record(image)
    assert (record["type"], record["name_label"], record["SR"]) == ("suspend", "Suspend image", sr)
    assert int(record["virtual_size"]) >= GIB * 1.26 and record["VBDs"] == []
    assert image in x.SR.get_VDIs(sr)
    x.VM.resume(vm, False, False)
    assert x.VM.get_suspend_VDI(vm) == "OpaqueRef:NULL" and image not in x.SR.get_VDIs(sr)
    assert failure(x.VDI.get_record, image)[0] == "HANDLE_INVALID"

    # Shut down or destroyed while suspended: the image goes too.
    x.VM.suspend(vm)
    image = x.VM.get_suspend_VDI(vm)
    x.VM.hard_shutdown(vm)
    assert x.VM.get_suspend_VDI(vm) == "OpaqueRef:NULL" and image not in x.SR.get_VDIs(sr)
    x.VM.start(vm, False, False)
    x.VM.suspend(vm)
    image = x.VM.get_suspend_VDI(vm)
    x.VM.destroy(vm)
    assert image not in x.SR.get_VDIs(sr)

    # A suspend that fails (a guest without its tools) leaves no image behind.
    bare = new_vm(x, "no tools", memory=GIB, agent=False)
    x.VM.start(bare, False, False)
    before = set(x.VDI.get_all())
    assert failure(x.VM.suspend, bare)[0] == "VM_MISSING_PV_DRIVERS"
    assert x.VM.get_power_state(bare) == "Running" and x.VM.get_suspend_VDI(bare) == "OpaqueRef:NULL"
    assert set(x.VDI.get_all()) == before
    x.VM.hard_shutdown(bare)

    # With no suspend SR anywhere the VM cannot be suspended, and keeps running; its own
    # suspend_SR comes first.
    vm = new_vm(x, "nowhere to suspend", memory=GIB)
    x.VM.start(vm, False, False)
    host_sr = x.host.get_suspend_image_sr(host)
    x.pool.set_suspend_image_SR(pool, "OpaqueRef:NULL")
    x.host.set_suspend_image_sr(host, "OpaqueRef:NULL")
    try:
        before = set(x.VDI.get_all())
        assert failure(x.VM.suspend, vm) == ["VM_NO_SUSPEND_SR", vm]
        assert x.VM.get_power_state(vm) == "Running" and set(x.VDI.get_all()) == before
        x.VM.set_suspend_SR(vm, sr)
        x.VM.suspend(vm)
        assert x.VDI.get_SR(x.VM.get_suspend_VDI(vm)) == sr
    finally:
        x.pool.set_suspend_image_SR(pool, sr)
        x.host.set_suspend_image_sr(host, host_sr)
    x.VM.hard_shutdown(vm)


def test_a_running_vm_is_given_vcpus_up_to_its_most(session):
    x = session.xenapi
    vm = new_vm(x, "more vcpus")
    x.VM.set_VCPUs_max(vm, "4")
    assert failure(x.VM.set_VCPUs_number_live, vm, "2")[0] == "VM_BAD_POWER_STATE"
    x.VM.start(vm, False, False)
    metrics = x.VM.get_metrics(vm)
    x.VM.set_VCPUs_number_live(vm, "3")
    assert x.VM.get_VCPUs_at_startup(vm) == "3" and x.VM_metrics.get_VCPUs_number(metrics) == "3"
    x.VM.set_VCPUs_number_live(vm, "1")
    assert x.VM.get_VCPUs_at_startup(vm) == "1" and x.VM_metrics.get_VCPUs_number(metrics) == "1"
    for wrong in ("0", "5"):
        assert failure(x.VM.set_VCPUs_number_live, vm, wrong) == [
            "INVALID_VALUE", "VCPU values must satisfy: 0 < VCPUs \u2264 VCPUs_max", wrong]
    # The next boot starts with the VCPUs the guest had.
    x.VM.set_VCPUs_number_live(vm, "2")
    x.VM.clean_reboot(vm)
    assert x.VM_metrics.get_VCPUs_number(x.VM.get_metrics(vm)) == "2"
    x.VM.hard_shutdown(vm)

    # A guest without its tools cannot take VCPUs while it runs.
    bare = new_vm(x, "no tools for vcpus", agent=False)
    x.VM.set_VCPUs_max(bare, "2")
    x.VM.start(bare, False, False)
    assert "changing_VCPUs_live" not in x.VM.get_allowed_operations(bare)
    assert failure(x.VM.set_VCPUs_number_live, bare, "2") == ["VM_MISSING_PV_DRIVERS", bare]
    assert x.VM.get_VCPUs_at_startup(bare) == "1"
    x.VM.hard_shutdown(bare)
