"""Disks as VHD files over the wire: copy-on-write clone chains and flat copies, snapshots and
revert, raw and VHD transfers through /import_raw_vdi and /export_raw_vdi (incremental too),
each checked byte for byte with cmp and qemu-img, and uploads that fail leaving nothing behind."""
import base64
import http.client
import os
import random
import shutil
import socket
import subprocess
import urllib.parse

import XenAPI
import pytest

from test_vm_lifecycle import failure, new_vm

MIB = 1 << 20


@pytest.fixture
def xapid(start_xapid):
    return start_xapid()


def local_sr(x):
    return x.pool.get_default_SR(x.pool.get_all()[0])


def new_disk(x, sr, size, label="disk"):
    return x.VDI.create({
        "name_label": label, "name_description": "", "SR": sr, "virtual_size": str(size), "type": "user",
        "sharable": False, "read_only": False, "other_config": {}, "xenstore_data": {}, "sm_config": {}, "tags": [],
    })


def attach(x, vm, vdi, device="0"):
    return x.VBD.create({
        "VM": vm, "VDI": vdi, "userdevice": device, "bootable": device == "0", "mode": "RW", "type": "Disk",
        "empty": False, "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {},
    })


def disk_of(x, vm):
    for vbd in x.VM.get_VBDs(vm):
        if x.VBD.get_type(vbd) == "Disk":
            return x.VBD.get_VDI(vbd)
    raise AssertionError("no disk")


def transfer(server, session, method, path, body=None, headers=None, **query):
    """One request to a transfer handler; returns (status, headers, body bytes)."""
    query = {"session_id": session._session, **query}
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    connection.request(method, path + "?" + urllib.parse.urlencode(query), body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), data


def upload(server, session, vdi, path, fmt="raw", **query):
    with open(path, "rb") as source:
        size = os.path.getsize(path)
        status, headers, body = transfer(server, session, "PUT", "/import_raw_vdi", body=source,
                                         headers={"Content-Length": str(size)}, vdi=vdi, format=fmt, **query)
    assert status == 200, body
    return headers


def download(server, session, vdi, path, fmt="raw", **query):
    status, headers, body = transfer(server, session, "GET", "/export_raw_vdi", vdi=vdi, format=fmt, **query)
    assert status == 200, body
    with open(path, "wb") as target:
        target.write(body)
    return headers


def sparse_image(path, size, regions, seed):
    """A raw image of `size` bytes, zero except random bytes in each (offset, length) region."""
    rng = random.Random(seed)
    with open(path, "wb") as image:
        image.truncate(size)
        for offset, length in regions:
            image.seek(offset)
            image.write(bytes(rng.getrandbits(8) for _ in range(length)))


def same(a, b):
    return subprocess.run(["cmp", a, b], capture_output=True).returncode == 0


def test_raw_and_vhd_transfers_round_trip(xapid, tmp_path):
    session = xapid.login()
    x = session.xenapi
    vdi = new_disk(x, local_sr(x), 64 * MIB)
    source = str(tmp_path / "source.raw")
    sparse_image(source, 64 * MIB, [(0, 4096), (5 * MIB + 512, 70000), (63 * MIB, MIB)], seed=1)
    task = x.task.create("upload", "")
    headers = upload(xapid, session, vdi, source, task_id=task)
    assert headers["task-id"] == task
    assert x.task.get_status(task) == "success" and float(x.task.get_progress(task)) == 1.0

    download(xapid, session, vdi, str(tmp_path / "back.raw"))
    assert same(source, str(tmp_path / "back.raw"))

    # As VHD: qemu-img reads it back as the same disk.
    download(xapid, session, x.VDI.get_uuid(vdi), str(tmp_path / "back.vhd"), fmt="vhd")
    subprocess.run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", str(tmp_path / "back.vhd"), str(tmp_path / "qemu.raw")], check=True)
    assert same(source, str(tmp_path / "qemu.raw"))
    assert os.path.getsize(tmp_path / "back.vhd") < 16 * MIB, "only allocated blocks are sent"

    # Basic auth instead of session_id, as xapi accepts.
    auth = base64.b64encode(f"root:{xapid.password}".encode()).decode()
    connection = http.client.HTTPConnection("127.0.0.1", xapid.port, timeout=60)
    connection.request("GET", "/export_raw_vdi?" + urllib.parse.urlencode({"vdi": vdi, "format": "raw"}),
                       headers={"Authorization": "Basic " + auth})
    response = connection.getresponse()
    assert response.status == 200 and len(response.read()) == 64 * MIB
    status, _, _ = transfer(xapid, session, "GET", "/export_raw_vdi", vdi=vdi, session_id="OpaqueRef:nonsense")
    assert status == 401
    status, _, _ = transfer(xapid, session, "GET", "/export_raw_vdi", vdi="OpaqueRef:nonsense")
    assert status == 404


def test_incremental_export_reapplied_to_a_copy_of_its_base(xapid, tmp_path):
    session = xapid.login()
    x = session.xenapi
    sr = local_sr(x)
    vdi = new_disk(x, sr, 32 * MIB)
    first = str(tmp_path / "first.raw")
    sparse_image(first, 32 * MIB, [(0, 3 * MIB), (20 * MIB, 5000)], seed=2)
    upload(xapid, session, vdi, first)
    base = x.VDI.snapshot(vdi, {})
    assert x.VDI.get_is_a_snapshot(base) and x.VDI.get_snapshot_of(base) == vdi

    # Change two blocks only, by uploading a VHD made by qemu-img from a sparse image.
    change = str(tmp_path / "change.raw")
    sparse_image(change, 32 * MIB, [(8 * MIB, 4096), (30 * MIB + 1024, 2048)], seed=3)
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic", change,
                    str(tmp_path / "change.vhd")], check=True)
    upload(xapid, session, vdi, str(tmp_path / "change.vhd"), fmt="vhd")
    download(xapid, session, vdi, str(tmp_path / "now.raw"))
    assert not same(first, str(tmp_path / "now.raw"))

    download(xapid, session, vdi, str(tmp_path / "delta.vhd"), fmt="vhd", base=base)
    assert os.path.getsize(tmp_path / "delta.vhd") < 6 * MIB, "the delta holds the two changed blocks"
    copy = x.VDI.copy(base, sr)
    upload(xapid, session, copy, str(tmp_path / "delta.vhd"), fmt="vhd")
    download(xapid, session, copy, str(tmp_path / "rebuilt.raw"))
    assert same(str(tmp_path / "now.raw"), str(tmp_path / "rebuilt.raw"))


def test_a_failed_upload_leaves_the_disk_as_it_was(xapid, tmp_path):
    session = xapid.login()
    x = session.xenapi
    vdi = new_disk(x, local_sr(x), 16 * MIB)
    source = str(tmp_path / "source.raw")
    sparse_image(source, 16 * MIB, [(0, 2 * MIB)], seed=4)
    upload(xapid, session, vdi, source)
    disks = set(x.VDI.get_all())

    # A truncated upload: the connection closes before the promised length.
    raw = socket.create_connection(("127.0.0.1", xapid.port))
    path = "/import_raw_vdi?" + urllib.parse.urlencode({"session_id": session._session, "vdi": vdi, "format": "raw"})
    raw.sendall(f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {16 * MIB}\r\n\r\n".encode() + b"\x07" * (3 * MIB))
    raw.shutdown(socket.SHUT_WR)
    raw.recv(4096)
    raw.close()
    # A malformed VHD.
    garbage = str(tmp_path / "garbage.vhd")
    with open(garbage, "wb") as f:
        f.write(b"not a vhd" * 1000)
    with open(garbage, "rb") as body:
        status, _, text = transfer(xapid, session, "PUT", "/import_raw_vdi", body=body, vdi=vdi, format="vhd",
                                   headers={"Content-Length": str(os.path.getsize(garbage))})
    assert status == 500 and b"SR_BACKEND_FAILURE" in text
    # Larger than the disk.
    big = str(tmp_path / "big.raw")
    sparse_image(big, 18 * MIB, [(17 * MIB, 10)], seed=5)
    with open(big, "rb") as body:
        status, _, _ = transfer(xapid, session, "PUT", "/import_raw_vdi", body=body, vdi=vdi, format="raw",
                                headers={"Content-Length": str(os.path.getsize(big))})
    assert status == 500

    download(xapid, session, vdi, str(tmp_path / "back.raw"))
    assert same(source, str(tmp_path / "back.raw"))
    assert set(x.VDI.get_all()) == disks, "no disk records left behind"


def test_clone_chain_copy_snapshot_and_revert(xapid, tmp_path):
    session = xapid.login()
    x = session.xenapi
    sr = local_sr(x)
    vm = new_vm(x, "gen0")
    first = new_disk(x, sr, 8 * MIB, "system")
    attach(x, vm, first)
    image = str(tmp_path / "image.raw")
    # Each generation writes its own region (and keeps the earlier ones), then is cloned.
    for generation in range(10):
        sparse_image(image, 8 * MIB, [(MIB * (g % 8) + 4096 * g, 4096) for g in range(generation + 1)], seed=6)
        upload(xapid, session, disk_of(x, vm), image)
        vm = x.VM.clone(vm, f"gen{generation + 1}")
    last = disk_of(x, vm)
    bases = len(x.VDI.get_all_records_where('field "name__label"="base copy"'))
    # One per clone, and one under the first upload (an upload goes into a new leaf, so a failed
    # one can be undone).
    assert bases == 11
    # A clone of a clone that was never written does not deepen the chain.
    again = x.VM.clone(vm, "unwritten")
    assert len(x.VDI.get_all_records_where('field "name__label"="base copy"')) == bases
    download(xapid, session, last, str(tmp_path / "gen10.raw"))
    assert same(image, str(tmp_path / "gen10.raw"))
    download(xapid, session, disk_of(x, again), str(tmp_path / "again.raw"))
    assert same(image, str(tmp_path / "again.raw"))
    flat = x.VM.copy(vm, "flat", sr)
    assert "vhd-parent" not in x.VDI.get_sm_config(disk_of(x, flat))
    download(xapid, session, disk_of(x, flat), str(tmp_path / "flat.raw"))
    assert same(image, str(tmp_path / "flat.raw"))

    snapshot = x.VM.snapshot(vm, "before")
    assert x.VM.get_is_a_snapshot(snapshot)
    other = str(tmp_path / "other.raw")
    sparse_image(other, 8 * MIB, [(MIB, MIB)], seed=7)
    upload(xapid, session, disk_of(x, vm), other)
    x.VM.revert(snapshot)
    download(xapid, session, disk_of(x, vm), str(tmp_path / "reverted.raw"))
    assert same(image, str(tmp_path / "reverted.raw"))
    assert failure(x.VM.snapshot_with_quiesce, vm, "q")[0] == "VM_BAD_POWER_STATE"


def test_iso_libraries_and_a_disc_in_a_running_vm(xapid, tmp_path):
    x = xapid.login().xenapi
    (tools,) = [ref for ref, sr in x.SR.get_all_records().items() if sr["is_tools_sr"]]
    assert x.SR.get_name_label(tools) == "XenServer Tools" and x.SR.get_shared(tools)
    (guest_tools,) = x.SR.get_VDIs(tools)
    record = x.VDI.get_record(guest_tools)
    assert record["name_label"] == "guest-tools.iso" and record["is_tools_iso"] and record["read_only"]
    iso_file = os.path.join(xapid.data_dir, "sr", "tools", "guest-tools.iso")
    assert "ISO 9660" in subprocess.run(["file", iso_file], capture_output=True, text=True).stdout
    assert int(record["virtual_size"]) == os.path.getsize(iso_file)

    library = tmp_path / "isos"
    (library / "folder.iso").mkdir(parents=True)
    with open(library / "debian-12.iso", "wb") as f:
        f.truncate(MIB)
    (library / "notes.txt").write_text("not a disc")
    (tmp_path / "outside.iso").write_bytes(b"x" * 2048)
    os.symlink("../outside.iso", library / "escape.iso")
    master = x.pool.get_master(x.pool.get_all()[0])
    sr = x.SR.create(master, {"location": str(library)}, "0", "ISOs", "", "iso", "iso", True, {})
    assert [x.VDI.get_name_label(v) for v in x.SR.get_VDIs(sr)] == ["debian-12.iso"]
    debian = x.SR.get_VDIs(sr)[0]
    uuid = x.VDI.get_uuid(debian)
    (library / "Alpine.ISO").write_bytes(b"\0" * 4096)
    x.SR.scan(sr)
    assert sorted(x.VDI.get_name_label(v) for v in x.SR.get_VDIs(sr)) == ["Alpine.ISO", "debian-12.iso"]
    assert x.VDI.get_uuid(debian) == uuid, "a disc keeps its uuid across scans"

    vm = new_vm(x, "with-cd")
    cd = x.VBD.create({"VM": vm, "VDI": "OpaqueRef:NULL", "userdevice": "3", "bootable": False, "mode": "RO",
                       "type": "CD", "empty": True, "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {}})
    x.VM.start(vm, False, False)
    x.VBD.insert(cd, debian)
    assert not x.VBD.get_empty(cd) and x.VBD.get_VDI(cd) == debian
    assert failure(x.VBD.insert, cd, guest_tools) == ["VBD_NOT_EMPTY", cd]
    x.VBD.eject(cd)
    x.VBD.insert(cd, guest_tools)
    disk = new_disk(x, local_sr(x), 4 * MIB)
    x.VBD.eject(cd)
    assert failure(x.VBD.insert, cd, disk) == ["VDI_IS_NOT_ISO", disk, "user"]
    # A disc whose file is gone is forgotten at the next scan; a drive holding it is emptied.
    x.VBD.insert(cd, debian)
    os.remove(library / "debian-12.iso")
    x.SR.scan(sr)
    assert x.VDI.get_missing(debian), "kept, marked missing, while a running VM has it"
    x.VM.hard_shutdown(vm)
    x.SR.scan(sr)
    assert debian not in x.VDI.get_all() and x.VBD.get_empty(cd)
