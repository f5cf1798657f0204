"""The `xe` client end to end: real `xe` processes against a real xapid, over the local socket,
plain HTTP and TLS, checked with the Python SDK."""
import os
import subprocess

import pytest

from conftest import ROOT

XE = os.environ.get("XE", os.path.join(ROOT, ".build", "debug", "xe"))


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    from conftest import XapidFactory
    socket_path = str(tmp_path_factory.mktemp("xe") / "xapi.sock")
    with XapidFactory() as start_xapid:
        xapid = start_xapid("--simulated-hosts", "2", "--unix-socket", socket_path)
        xapid.socket_path = socket_path
        yield xapid


def run_xe(pool, *args, via="socket", stdin=None, env_extra=None, home=None):
    """Runs xe; returns (exit code, stdout, stderr)."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": home or "/nonexistent"}
    command = [XE]
    if via == "socket":
        env["XE_SOCKET"] = pool.socket_path
    elif via == "http":
        command += ["-s", "127.0.0.1", "-p", str(pool.port), "--nossl", "-u", "root", "-pw", pool.password]
    elif via == "https":
        command += ["-s", "127.0.0.1", "-p", str(pool.https_port), "-u", "root", "-pw", pool.password]
    env.update(env_extra or {})
    result = subprocess.run(command + list(args), input=stdin, capture_output=True, text=True, env=env, timeout=120)
    return result.returncode, result.stdout, result.stderr


def xe_ok(pool, *args, **kw):
    code, out, err = run_xe(pool, *args, **kw)
    assert code == 0, f"xe {' '.join(args)} failed ({code}): {err}"
    assert err == "", err
    return out.strip()


def test_vm_lifecycle_only_through_xe(pool):
    """Install, start, migrate, shut down and uninstall a VM, each step a real xe process over HTTP."""
    uuid = xe_ok(pool, "vm-install", "template=Debian Bookworm 12", "new-name-label=xe-life", via="http")
    assert len(uuid) == 36
    assert xe_ok(pool, "vm-list", "uuid=" + uuid, "params=name-label", "--minimal", via="http") == "xe-life"
    xe_ok(pool, "vm-start", "vm=xe-life", via="http")
    assert xe_ok(pool, "vm-param-get", "uuid=" + uuid, "param-name=power-state", via="http") == "running"
    here = xe_ok(pool, "vm-param-get", "uuid=" + uuid, "param-name=resident-on", via="http")
    hosts = xe_ok(pool, "host-list", "--minimal", via="http").split(",")
    there = next(h for h in hosts if h != here)
    xe_ok(pool, "vm-migrate", "vm=xe-life", "host=" + there, via="http")
    assert xe_ok(pool, "vm-param-get", "uuid=" + uuid, "param-name=resident-on", via="http") == there
    # The SDK sees what xe did.
    session = pool.login()
    try:
        vm = session.xenapi.VM.get_by_uuid(uuid)
        assert session.xenapi.host.get_uuid(session.xenapi.VM.get_resident_on(vm)) == there
    finally:
        session.xenapi.session.logout()
    xe_ok(pool, "vm-shutdown", "vm=xe-life", via="http")
    disks = xe_ok(pool, "vm-disk-list", "vm=xe-life", "vdi-params=uuid", "--minimal")
    xe_ok(pool, "vm-uninstall", "vm=xe-life", "--force", via="http")
    assert xe_ok(pool, "vm-list", "uuid=" + uuid, "--minimal") == ""
    assert disks and xe_ok(pool, "vdi-list", "uuid=" + disks.split(",")[0], "--minimal") == ""


def test_host_evacuate_over_tls(pool):
    first = xe_ok(pool, "vm-install", "template=Debian Bookworm 12", "new-name-label=xe-evac-1", via="https")
    xe_ok(pool, "vm-start", "uuid=" + first, via="https")
    host = xe_ok(pool, "vm-param-get", "uuid=" + first, "param-name=resident-on", via="https")
    xe_ok(pool, "host-disable", "uuid=" + host, via="https")
    try:
        xe_ok(pool, "host-evacuate", "uuid=" + host, via="https")
        assert xe_ok(pool, "vm-param-get", "uuid=" + first, "param-name=resident-on") != host
        assert xe_ok(pool, "vm-list", "resident-on=" + host, "is-control-domain=false", "--minimal") == ""
    finally:
        xe_ok(pool, "host-enable", "uuid=" + host)
    xe_ok(pool, "vm-shutdown", "uuid=" + first, "--force")
    xe_ok(pool, "vm-uninstall", "uuid=" + first, "--force")


def test_list_format_and_minimal(pool):
    code, out, err = run_xe(pool, "host-list", "params=uuid,name-label")
    # Each record is followed by two blank lines, as xe prints them.
    assert code == 0 and out.endswith("\n\n\n") and "\n\n\n\n" not in out
    records = [r for r in out.split("\n\n\n") if r.strip()]
    assert len(records) == 2
    for record in records:
        lines = record.splitlines()
        assert lines[0].startswith("uuid ( RO)") and lines[1].lstrip().startswith("name-label ( RW): ")
        assert lines[0].index(":") == lines[1].index(":")
    assert "," in xe_ok(pool, "host-list", "--minimal")


def test_errors_are_xes(pool):
    code, out, err = run_xe(pool, "vm-lst")
    assert code == 1 and err.splitlines()[0] == "Unknown command: vm-lst"
    code, out, err = run_xe(pool, "vm-param-get", "param-name=uuid")
    assert code == 1 and err.splitlines() == ["Required parameter not found: uuid", "For usage run: 'xe help'"]
    code, out, err = run_xe(pool, "vm-list", "colour=red")
    assert code == 1 and err.splitlines()[0] == "Unknown parameter(s): colour"
    code, out, err = run_xe(pool, "vm-start", "vm=no-such-vm")
    assert code == 1 and err.strip() == "Error: No matching VMs found"
    code, out, err = run_xe(pool, "vm-list", "-x", "1")
    assert code == 1 and err.splitlines()[0] == "Syntax error: Unknown switch: -x"
    code, out, err = run_xe(pool, "vm-list", "-s", "127.0.0.1", "-p", str(pool.port), "--nossl", "-u", "root", "-pw", "wrong", via="none")
    assert code == 1 and err.splitlines()[0] == "Authentication failed"
    code, out, err = run_xe(pool, "vm-list", via="none", env_extra={"XE_SOCKET": "/nonexistent/sock"})
    assert code == 1 and err.startswith("Failed to contact a running management agent.")
    code, out, err = run_xe(pool, "vm-list", "-s", "127.0.0.1", "-p", "1", "--nossl", "-u", "root", "-pw", "x", via="none")
    assert code == 1 and err.strip() == "Unable to contact server. Please check server and port settings."
    code, out, err = run_xe(pool, "vm-list", "-p", "99999", via="none")
    assert code == 1 and err.startswith("Port number must be an integer (0-65535)") and "Usage:" in err


def test_credentials_from_file_environment_and_home(pool, tmp_path):
    password_file = tmp_path / "pw"
    password_file.write_text("root\n" + pool.password + "\n")   # xe's format: username, then password
    base = ["-s", "127.0.0.1", "-p", str(pool.port), "--nossl"]
    assert xe_ok(pool, *base, "-pwf", str(password_file), "host-list", "--minimal", via="none")
    extra = f"server=127.0.0.1,port={pool.port},nossl=true,username=root,password={pool.password}"
    assert xe_ok(pool, "host-list", "--minimal", via="none", env_extra={"XE_EXTRA_ARGS": extra})
    (tmp_path / ".xe").write_text(f"server=127.0.0.1\nport={pool.port}\nnossl=true\nusername=root\npassword={pool.password}\n")
    assert xe_ok(pool, "host-list", "--minimal", via="none", home=str(tmp_path))


def test_uninstall_asks_first(pool):
    uuid = xe_ok(pool, "vm-install", "template=Debian Bookworm 12", "new-name-label=xe-ask")
    code, out, err = run_xe(pool, "vm-uninstall", "uuid=" + uuid, stdin="no\n")
    assert code == 0 and "The following items are about to be destroyed" in out and f"VM : {uuid} (xe-ask)" in out
    assert "Type 'yes' to continue" in out and out.strip().endswith("Aborted (you typed: 'no')")
    assert xe_ok(pool, "vm-list", "uuid=" + uuid, "--minimal") == uuid
    code, out, err = run_xe(pool, "vm-uninstall", "uuid=" + uuid, stdin="yes\n")
    assert code == 0, err
    assert xe_ok(pool, "vm-list", "uuid=" + uuid, "--minimal") == ""


def test_cd_drive_and_devices(pool):
    uuid = xe_ok(pool, "vm-install", "template=Debian Bookworm 12", "new-name-label=xe-cd")
    drive = xe_ok(pool, "vbd-create", "vm-uuid=" + uuid, "device=3", "type=CD")
    assert xe_ok(pool, "vbd-param-get", "uuid=" + drive, "param-name=empty") == "true"
    xe_ok(pool, "vm-cd-insert", "uuid=" + uuid, "cd-name=guest-tools.iso")
    assert xe_ok(pool, "vbd-param-get", "uuid=" + drive, "param-name=empty") == "false"
    assert "guest-tools.iso" in xe_ok(pool, "vm-cd-list", "uuid=" + uuid)
    xe_ok(pool, "vm-cd-eject", "uuid=" + uuid)
    assert xe_ok(pool, "vbd-param-get", "uuid=" + drive, "param-name=empty") == "true"
    network = xe_ok(pool, "network-list", "bridge=xenbr0", "--minimal")
    vif = xe_ok(pool, "vif-create", "vm-uuid=" + uuid, "network-uuid=" + network, "device=0", "mac=02:00:00:00:00:07")
    assert "02:00:00:00:00:07" in xe_ok(pool, "vm-vif-list", "uuid=" + uuid)
    assert xe_ok(pool, "vif-param-get", "uuid=" + vif, "param-name=MAC") == "02:00:00:00:00:07"
    xe_ok(pool, "vm-uninstall", "uuid=" + uuid, "--force")


def test_no_progress_bar_when_piped_and_help(pool):
    uuid = xe_ok(pool, "vm-install", "template=Debian Bookworm 12", "new-name-label=xe-quiet")
    code, out, err = run_xe(pool, "vm-start", "uuid=" + uuid)
    assert code == 0 and out == "" and err == ""
    xe_ok(pool, "vm-shutdown", "uuid=" + uuid, "--force")
    xe_ok(pool, "vm-uninstall", "uuid=" + uuid, "--force")
    assert "reqd params     : new-name-label" in xe_ok(pool, "help", "vm-install")
    script = xe_ok(pool, "help", "--bash-completion")
    completed = subprocess.run(
        ["bash", "-c", script + "\nCOMP_WORDS=(xe vm-sta); COMP_CWORD=1; _xe; echo ${COMPREPLY[@]}"],
        capture_output=True, text=True, check=True)
    assert "vm-start" in completed.stdout.split()
