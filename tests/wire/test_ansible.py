"""Ansible's community.general.xenserver_facts, unchanged, against xapid's local socket.

The module reaches XenServer through XenAPI.xapi_local(), whose socket path /var/lib/xcp/xapi is
hard-coded, so this xapid binds exactly there (tests run as root, like XenServer's own tools).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest
import XenAPI

from conftest import PASSWORD, XAPID, free_port

SOCKET = "/var/lib/xcp/xapi"
PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - community.general.xenserver_facts:
    - assert:
        that:
          - "xenserver_version is defined"
          - "'Control domain on host: ansible-host' in xs_vms"
          - "xs_vms['Control domain on host: ansible-host'].power_state == 'Running'"
          - "xs_vms['Control domain on host: ansible-host'].is_control_domain"
          - "xs_networks['ansible-lab'].MTU == '9000'"
"""


@pytest.fixture
def socket_server():
    if os.geteuid() != 0:
        pytest.fail("the local-socket test needs root (as XenServer's own socket does)")
    os.makedirs(os.path.dirname(SOCKET), exist_ok=True)
    data_dir = tempfile.mkdtemp()
    port = free_port()
    process = subprocess.Popen(
        [XAPID, "--listen", f"127.0.0.1:{port}", "--https-listen", "off", "--unix-socket", SOCKET,
         "--hostname", "ansible-host", "--data-dir", data_dir, "--root-password", PASSWORD],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        if os.path.exists(SOCKET):
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)
    shutil.rmtree(data_dir, ignore_errors=True)


def test_xenserver_facts_over_the_local_socket(socket_server, tmp_path):
    s = XenAPI.Session(socket_server)
    s.xenapi.login_with_password("root", PASSWORD)
    s.xenapi.network.create({"name_label": "ansible-lab", "name_description": "", "MTU": "9000", "other_config": {}})
    s.xenapi.session.logout()

    playbook = tmp_path / "facts.yml"
    playbook.write_text(PLAYBOOK)
    bin_dir = os.path.dirname(sys.executable)
    env = dict(os.environ, ANSIBLE_PYTHON_INTERPRETER=sys.executable, PATH=bin_dir + ":" + os.environ["PATH"],
               ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"))
    result = subprocess.run(
        [os.path.join(bin_dir, "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)],
        env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "failed=0" in result.stdout
