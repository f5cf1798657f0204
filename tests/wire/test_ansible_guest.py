"""Ansible's community.general xenserver_guest, _info and _powerstate modules, unchanged, over HTTP:
the playbook of shared/reference/real-clients.md (create from a template, CPUs, memory, disk, CD,
network, power on, wait for the IP, gather facts, reconfigure halted, power cycle, shut down the
guest, destroy)."""
import glob
import os
import shutil
import signal
import subprocess
import sys

import pytest
import XenAPI

from conftest import PASSWORD

GUEST = os.environ.get("XAPI_TEST_GUEST", "")

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  vars:
    xs: &xs {hostname: "%(url)s", username: root, password: "%(password)s"}
  tasks:
    - community.general.xenserver_guest:
        <<: *xs
        name: acc-vm-1
        template: "Debian Bookworm 12"
        state: poweredon
        folder: /acceptance
        hardware: {num_cpus: 2, num_cpu_cores_per_socket: 2, memory_mb: 2048}
        disks: [{size_gb: 10, name: acc-vm-1-disk0, sr: "Local storage"}]
        cdrom: {type: iso, iso_name: debian-12.iso}
        networks: [{name: "Pool-wide network associated with eth0", type: static, ip: 192.0.2.50/24, gateway: 192.0.2.1}]
        custom_params: [{key: HVM_boot_params, value: {order: "dc"}}]
        wait_for_ip_address: true
      register: created
    - assert:
        that:
          - created.changed
          - created.instance.state == "poweredon"
          - created.instance.networks[0].ip is match("%(address)s")
          - created.instance.hardware.num_cpus == 2
          - created.instance.hardware.memory_mb == 2048
    - community.general.xenserver_guest_info: {<<: *xs, name: acc-vm-1}
      register: info
    - assert:
        that:
          - info.instance.state == "poweredon"
          - info.instance.folder == "/acceptance"
          - info.instance.disks | length == 1
          - info.instance.cdrom.iso_name == "debian-12.iso"
    - community.general.xenserver_guest_powerstate: {<<: *xs, name: acc-vm-1, state: powered-off}
    - community.general.xenserver_guest:
        <<: *xs
        name: acc-vm-1
        hardware: {num_cpus: 4, memory_mb: 4096}
        disks: [{size_gb: 20}]
        networks: [{name: "Pool-wide network associated with eth0"}, {name: "Pool-wide network associated with eth0"}]
      register: reconfigured
    - assert:
        that:
          - reconfigured.changed
          - reconfigured.instance.hardware.num_cpus == 4
          - reconfigured.instance.hardware.memory_mb == 4096
          - reconfigured.instance.disks[0].size == 21474836480
          - reconfigured.instance.networks | length == 2
    - community.general.xenserver_guest_powerstate: {<<: *xs, name: acc-vm-1, state: "{{ item }}"}
      loop: [powered-on, restarted, suspended, powered-on]
    - community.general.xenserver_guest_powerstate: {<<: *xs, name: acc-vm-1, state: shutdown-guest, state_change_timeout: 30}
      register: stopped
    - assert:
        that:
          - stopped.instance.state == "poweredoff"
    - community.general.xenserver_guest: {<<: *xs, name: acc-vm-1, state: absent, force: true}
"""


def run_playbook(xapid, tmp_path, disc, address):
    """The playbook against `xapid`, with `disc` in an ISO library as debian-12.iso; the guest's
    first address must match `address`."""
    s = xapid.login()
    x = s.xenapi
    # An ISO library holding the installer disc, as an admin would set one up.
    library = tmp_path / "isos"
    library.mkdir()
    disc(library / "debian-12.iso")
    master = x.pool.get_master(x.pool.get_all()[0])
    x.SR.create(master, {"location": str(library)}, "0", "ISO library", "", "iso", "iso", True, {})

    playbook = tmp_path / "guest.yml"
    playbook.write_text(PLAYBOOK % {"url": xapid.url, "password": PASSWORD, "address": address})
    bin_dir = os.path.dirname(sys.executable)
    env = dict(os.environ, ANSIBLE_PYTHON_INTERPRETER=sys.executable, PATH=bin_dir + ":" + os.environ["PATH"],
               ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"))
    result = subprocess.run(
        [os.path.join(bin_dir, "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)],
        env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "failed=0" in result.stdout
    assert x.VM.get_by_name_label("acc-vm-1") == [], "destroyed"
    assert [v for v in x.VDI.get_all() if x.VDI.get_name_label(v) == "acc-vm-1-disk0"] == [], "its disk went with it"
    s.xenapi.session.logout()


def test_xenserver_guest_playbook(start_xapid, tmp_path):
    def blank_disc(path):
        with open(path, "wb") as disc:
            disc.truncate(650 << 20)
    # The simulated guest's agent reports an address in 198.18.0.0/15.
    run_playbook(start_xapid(), tmp_path, blank_disc, "198[.]18[.]")


@pytest.mark.skipif(
    not os.environ.get("CI") and not (shutil.which("qemu-system-x86_64") and os.path.isfile(os.path.join(GUEST, "guest.iso"))),
    reason="QEMU or the test guest (scripts/build-test-guest) is missing")
def test_xenserver_guest_playbook_on_real_guests(start_xapid, tmp_path):
    """The same playbook, unchanged, with xapid running VMs under QEMU: the VM boots the test
    guest's ISO from its CD drive, and its agent reports the address user-mode networking gave it."""
    xapid = start_xapid("--backend", "qemu", "--accelerator", "tcg")
    try:
        run_playbook(xapid, tmp_path, lambda path: shutil.copy(os.path.join(GUEST, "guest.iso"), path), "10[.]0[.]2[.]15$")
    finally:
        for pidfile in glob.glob(os.path.join(xapid.data_dir, "qemu", "*", "qemu.pid")):
            try:
                os.kill(int(open(pidfile).read().strip()), signal.SIGKILL)
            except (OSError, ValueError):
                pass
