"""XVA import (PUT /import and xe vm-import) of every fixture in fixtures/xva, made
independently of this project: each import creates exactly what expected.json says, or fails
with its error and leaves nothing behind; and a round trip of our own export."""
import hashlib
import http.client
import json
import os
import subprocess
import urllib.parse

import pytest

from test_xe import XE

# A copy of ../shared/fixtures/xva (data only, with its README), so a clone alone runs the tests.
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "xva")
EXPECTED = json.load(open(os.path.join(FIXTURES, "expected.json")))


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    from conftest import XapidFactory
    socket_path = str(tmp_path_factory.mktemp("import") / "xapi.sock")
    with XapidFactory() as start_xapid:
        xapid = start_xapid("--unix-socket", socket_path)
        xapid.socket_path = socket_path
        session = xapid.login()
        yield xapid, session
        session.xenapi.session.logout()


def put_import(xapid, session, path, **query):
    task = session.xenapi.task.create("import", "")
    query = {"session_id": session._session, "task_id": task, **query}
    with open(path, "rb") as body:
        connection = http.client.HTTPConnection("127.0.0.1", xapid.port, timeout=120)
        connection.request("PUT", "/import?" + urllib.parse.urlencode(query), body=body,
                           headers={"Content-Length": str(os.path.getsize(path))})
        response = connection.getresponse()
        response.read()
        connection.close()
    assert response.status == 200
    return task


def gen_mac(seed, device):
    """xapi's MAC for a VIF (formats.md §3.4)."""
    h = seed.encode()
    for _ in range(2 * int(device)):
        h = hashlib.md5(h).digest()
    d1 = hashlib.md5(h).digest()
    d2 = hashlib.md5(d1).digest()
    octets = [(d1[0] | 0x02) & 0xFE, d1[1], d1[2], d1[3], d2[1], d2[2]]
    return ":".join(f"{b:02x}" for b in octets)


def census(session):
    x = session.xenapi
    return (len(x.VM.get_all()), len(x.VDI.get_all()), len(x.network.get_all()), len(x.VBD.get_all()), len(x.VIF.get_all()))


def disk_sha256(xapid, session, vdi):
    connection = http.client.HTTPConnection("127.0.0.1", xapid.port, timeout=120)
    connection.request("GET", "/export_raw_vdi?" + urllib.parse.urlencode({"session_id": session._session, "vdi": vdi, "format": "raw"}))
    response = connection.getresponse()
    data = response.read()
    connection.close()
    assert response.status == 200
    return hashlib.sha256(data).hexdigest(), len(data)


def check_vm(xapid, session, vm, expected, step):
    x = session.xenapi
    record = x.VM.get_record(vm)
    want = expected["vm"]
    assert record["name_label"] == want["name_label"]
    assert record["name_description"] == want["name_description"]
    assert record["power_state"] == "Halted"
    for field in ("VCPUs_max", "VCPUs_at_startup", "memory_static_min", "memory_dynamic_min", "memory_dynamic_max", "memory_static_max"):
        assert int(record[field]) == want[field], field
    if step["uuid"] == "kept":
        assert record["uuid"] == want["uuid"] and record["other_config"]["mac_seed"] == want["mac_seed"]
    else:
        assert record["uuid"] != want["uuid"] and record["other_config"]["mac_seed"] != want["mac_seed"]
    vifs = sorted((x.VIF.get_record(v) for v in record["VIFs"]), key=lambda v: v["device"])
    assert [v["device"] for v in vifs] == [v["device"] for v in expected["vifs"]]
    for vif, wanted in zip(vifs, expected["vifs"]):
        assert x.network.get_name_label(vif["network"]) in (wanted["network_name_label"], EXPECTED["management_network_name_label"])
        if step["macs"] == "kept":
            assert vif["MAC"] == wanted["MAC"]
        else:
            assert vif["MAC"] == gen_mac(record["other_config"]["mac_seed"], vif["device"]) != wanted["MAC"]
    vbds = sorted((x.VBD.get_record(v) for v in record["VBDs"]), key=lambda v: v["userdevice"])
    assert [(v["userdevice"], v["type"]) for v in vbds] == [(v["userdevice"], v["type"]) for v in expected["vbds"]]
    for vbd, wanted in zip(vbds, expected["vbds"]):
        if "vdi" not in wanted:
            assert vbd["empty"]
            continue
        disk = x.VDI.get_record(vbd["VDI"])
        assert disk["name_label"] == wanted["vdi"]["name_label"]
        assert int(disk["virtual_size"]) == wanted["vdi"]["virtual_size_if_rounded_to_2MiB"]
        digest, length = disk_sha256(xapid, session, vbd["VDI"])
        assert length == wanted["vdi"]["virtual_size_if_rounded_to_2MiB"]
        assert digest == wanted["vdi"]["sha256_zero_extended_to_2MiB"]


@pytest.mark.parametrize("scenario", EXPECTED["scenarios"], ids=[s["name"] for s in EXPECTED["scenarios"]])
def test_fixture(pool, scenario):
    xapid, session = pool
    x = session.xenapi
    for step in scenario["steps"]:
        expected = EXPECTED["files"][step["file"]]
        before = census(session)
        task = put_import(xapid, session, os.path.join(FIXTURES, step["file"]), **step["query"])
        status = x.task.get_status(task)
        if step["expect"] == "error":
            assert status == "failure"
            info = x.task.get_error_info(task)
            assert info[0] == step["error_code"], info
            if "error_params" in step:
                assert info[1:] == step["error_params"]
            assert census(session) == before, "a failed import left objects behind"
            continue
        assert status == "success", x.task.get_error_info(task)
        result = x.task.get_result(task)
        vms = [v for v in x.VM.get_all() if x.VM.get_name_label(v) == expected["vm"]["name_label"] and v in result]
        assert len(vms) == 1, result
        check_vm(xapid, session, vms[0], expected, step)
    # Leave the pool as it was for the next scenario (a kept uuid would clash with a later restore).
    for vm in x.VM.get_all():
        if x.VM.get_name_label(vm).startswith("fixture-"):
            for vbd in x.VM.get_VBDs(vm):
                disk = x.VBD.get_VDI(vbd)
                if disk != "OpaqueRef:NULL" and x.VBD.get_type(vbd) == "Disk":
                    x.VDI.destroy(disk)
            x.VM.destroy(vm)


def test_round_trip_through_xe_with_and_without_preserve(pool, tmp_path):
    xapid, session = pool
    x = session.xenapi
    env = {"XE_SOCKET": xapid.socket_path, "PATH": os.environ["PATH"]}
    imported = subprocess.run([XE, "vm-import", f"filename={os.path.join(FIXTURES, 'xapi-complete.xva')}"],
                              capture_output=True, text=True, env=env, timeout=120)
    assert imported.returncode == 0, imported.stderr
    uuid = imported.stdout.strip()
    vm = x.VM.get_by_uuid(uuid)
    original_macs = sorted(x.VIF.get_MAC(v) for v in x.VM.get_VIFs(vm))
    path = tmp_path / "again.xva"
    exported = subprocess.run([XE, "vm-export", f"uuid={uuid}", f"filename={path}"], capture_output=True, text=True, env=env, timeout=120)
    assert exported.returncode == 0, exported.stderr
    again = subprocess.run([XE, "vm-import", f"filename={path}", "preserve=true"], capture_output=True, text=True, env=env, timeout=120)
    # preserve keeps the uuid, which the first VM still has: refused as not newer.
    assert again.returncode == 1 and "VM cannot be imported unforced" in again.stderr
    x.VM.destroy(vm)
    again = subprocess.run([XE, "vm-import", f"filename={path}", "preserve=true"], capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == uuid
    copy = x.VM.get_by_uuid(uuid)
    assert sorted(x.VIF.get_MAC(v) for v in x.VM.get_VIFs(copy)) == original_macs
    bad = subprocess.run([XE, "vm-import", "filename=/nonexistent.xva"], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 1


def test_network_remap_through_the_api_and_xe(pool):
    xapid, session = pool
    x = session.xenapi
    lab = x.network.create({"name_label": "remap-target", "name_description": "", "MTU": "1500", "other_config": {}})
    lab_uuid = x.network.get_uuid(lab)
    networks = len(x.network.get_all())
    # Through the API: the file's lab network (by name) goes to the new network; eth0's by name as usual.
    task = put_import(xapid, session, os.path.join(FIXTURES, "xapi-complete.xva"), network_map=f"xva-fixture-lab-net-7={lab_uuid}")
    assert x.task.get_status(task) == "success", x.task.get_error_info(task)
    vm = [v for v in x.VM.get_all() if v in x.task.get_result(task)][0]
    placed = {x.VIF.get_device(v): x.VIF.get_network(v) for v in x.VM.get_VIFs(vm)}
    assert placed["1"] == lab and placed["0"] != lab
    assert len(x.network.get_all()) == networks
    # Through xe, naming the file's network by its bridge.
    env = {"XE_SOCKET": xapid.socket_path, "PATH": os.environ["PATH"]}
    done = subprocess.run([XE, "vm-import", f"filename={os.path.join(FIXTURES, 'xapi-complete.xva')}", f"network-map:xvalab7={lab_uuid}"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    other = x.VM.get_by_uuid(done.stdout.strip())
    assert {x.VIF.get_device(v): x.VIF.get_network(v) for v in x.VM.get_VIFs(other)}["1"] == lab
    # A map to a network that does not exist fails and leaves nothing.
    before = census(session)
    task = put_import(xapid, session, os.path.join(FIXTURES, "xapi-complete.xva"), network_map="xvalab7=no-such-network")
    assert x.task.get_status(task) == "failure" and x.task.get_error_info(task)[0] == "UUID_INVALID"
    assert census(session) == before
    for each in (vm, other):
        for vbd in x.VM.get_VBDs(each):
            if x.VBD.get_type(vbd) == "Disk":
                x.VDI.destroy(x.VBD.get_VDI(vbd))
        x.VM.destroy(each)


def test_p2v_images_become_vms_from_a_template(pool, tmp_path):
    """A physical machine's disk image, raw (through xe) or a dynamic VHD made by qemu-img (through
    PUT /import?template=…), becomes a new VM from the template with the image as its bootable
    disk and an interface on the management network; a bad image leaves nothing behind."""
    xapid, session = pool
    x = session.xenapi
    rng = __import__("random").Random(3)
    image = bytes(rng.getrandbits(8) for _ in range(64 * 1024)) + bytes(3 * 1024 * 1024) + b"\x5a" * 4096
    raw = tmp_path / "machine.img"
    raw.write_bytes(image)
    env = {"XE_SOCKET": xapid.socket_path, "PATH": os.environ["PATH"]}
    done = subprocess.run([XE, "vm-import", f"filename={raw}", "template=Other install media", "name-label=p2v-raw"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    vhd = tmp_path / "machine.vhd"
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vpc", str(raw), str(vhd)], check=True)
    task = put_import(xapid, session, str(vhd), template="Other install media", name="p2v-vhd", format="vhd")
    assert x.task.get_status(task) == "success", x.task.get_error_info(task)
    for vm in (x.VM.get_by_uuid(done.stdout.strip()), [v for v in x.VM.get_all() if v in x.task.get_result(task)][0]):
        assert x.VM.get_name_label(vm) in ("p2v-raw", "p2v-vhd") and not x.VM.get_is_a_template(vm)
        vbds = x.VM.get_VBDs(vm)
        assert len(vbds) == 1 and x.VBD.get_userdevice(vbds[0]) == "0" and x.VBD.get_bootable(vbds[0])
        digest, length = disk_sha256(xapid, session, x.VBD.get_VDI(vbds[0]))
        assert digest == hashlib.sha256(image + bytes(length - len(image))).hexdigest()
        vifs = x.VM.get_VIFs(vm)
        assert len(vifs) == 1 and x.network.get_bridge(x.VIF.get_network(vifs[0])) == "xenbr0"
    before = census(session)
    bad = tmp_path / "bad.vhd"
    bad.write_bytes(b"not a vhd at all" * 64)
    task = put_import(xapid, session, str(bad), template="Other install media", name="p2v-bad", format="vhd")
    assert x.task.get_status(task) == "failure"
    assert census(session) == before


def test_p2v_root_filesystem_tarball_becomes_an_ext4_disk(pool, tmp_path):
    """A tarball of a machine's root filesystem becomes a VM whose bootable disk is an ext4
    filesystem holding the same tree (read back with e2fsprogs' own debugfs and checked with
    e2fsck); a file that is not a tarball is refused and leaves nothing behind, not even the
    folder it was unpacked in."""
    xapid, session = pool
    x = session.xenapi
    tree = tmp_path / "root"
    (tree / "etc").mkdir(parents=True)
    (tree / "usr" / "bin").mkdir(parents=True)
    (tree / "etc" / "hostname").write_text("physical-01\n")
    payload = bytes(__import__("random").Random(5).getrandbits(8) for _ in range(300 * 1024))
    (tree / "usr" / "bin" / "tool").write_bytes(payload)
    os.chmod(tree / "usr" / "bin" / "tool", 0o755)
    os.symlink("../usr/bin/tool", tree / "etc" / "tool-link")
    tarball = tmp_path / "rootfs.tar"
    subprocess.run(["tar", "-C", str(tree), "-cf", str(tarball), "."], check=True)
    env = {"XE_SOCKET": xapid.socket_path, "PATH": os.environ["PATH"]}
    done = subprocess.run([XE, "vm-import", f"filename={tarball}", "template=Other install media", "name-label=p2v-tar"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    vm = x.VM.get_by_uuid(done.stdout.strip())
    assert x.VM.get_name_label(vm) == "p2v-tar"
    vbds = x.VM.get_VBDs(vm)
    assert len(vbds) == 1 and x.VBD.get_bootable(vbds[0])
    vdi = x.VBD.get_VDI(vbds[0])
    assert int(x.VDI.get_virtual_size(vdi)) >= 256 * 1024 * 1024
    connection = http.client.HTTPConnection("127.0.0.1", xapid.port, timeout=120)
    connection.request("GET", "/export_raw_vdi?" + urllib.parse.urlencode({"session_id": session._session, "vdi": vdi, "format": "raw"}))
    response = connection.getresponse()
    disk = tmp_path / "disk.img"
    disk.write_bytes(response.read())
    connection.close()
    checked = subprocess.run(["e2fsck", "-fn", str(disk)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    def debugfs(request):
        return subprocess.run(["debugfs", "-R", request, str(disk)], capture_output=True, check=True).stdout
    assert debugfs("cat /etc/hostname") == b"physical-01\n"
    assert debugfs("cat /usr/bin/tool") == payload
    assert b"../usr/bin/tool" in debugfs("stat /etc/tool-link")
    label = subprocess.run(["e2label", str(disk)], capture_output=True, text=True, check=True).stdout.strip()
    assert label == "root"
    before = census(session)
    sr_folders = [path for path, _, _ in os.walk(xapid.data_dir)]
    bad = tmp_path / "bad.tar"
    bad.write_bytes(b"this is not a tarball" * 100)
    task = put_import(xapid, session, str(bad), template="Other install media", name="p2v-bad-tar", format="tar")
    assert x.task.get_status(task) == "failure"
    assert x.task.get_error_info(task)[0] == "IMPORT_ERROR"
    assert census(session) == before
    assert [path for path, _, _ in os.walk(xapid.data_dir)] == sr_folders
