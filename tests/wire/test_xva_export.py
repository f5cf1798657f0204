"""XVA export (GET /export and xe vm-export), checked with independent tools: Python's tarfile
reads the stream, Debian's xxhsum recomputes every chunk's XXH64, the disk reassembled from the
chunks (gaps as zeros, as xapi's importer reads them) equals what was written into it."""
import hashlib
import os
import random
import subprocess
import tarfile
import xmlrpc.client

import pytest

from test_storage import transfer
from test_xe import XE

MIB = 1 << 20


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A halted VM with an 8 MiB disk written in three places, exported through xe and through GET /export."""
    from conftest import XapidFactory
    folder = tmp_path_factory.mktemp("xva")
    socket_path = str(folder / "xapi.sock")
    with XapidFactory() as start_xapid:
        xapid = start_xapid("--unix-socket", socket_path)
        session = xapid.login()
        x = session.xenapi
        pool = x.pool.get_all()[0]
        sr = x.pool.get_default_SR(pool)
        template = x.VM.get_by_name_label("Other install media")[0]
        vm = x.VM.clone(template, "exported")
        x.VM.provision(vm)
        vdi = x.VDI.create({"name_label": "data", "name_description": "", "SR": sr, "virtual_size": str(8 * MIB),
                            "type": "user", "sharable": False, "read_only": False, "other_config": {}})
        x.VBD.create({"VM": vm, "VDI": vdi, "userdevice": "1", "bootable": False, "mode": "RW", "type": "Disk",
                      "empty": False, "unpluggable": True, "other_config": {}, "qos_algorithm_type": "",
                      "qos_algorithm_params": {}})
        rng = random.Random(7)
        source = bytearray(8 * MIB)
        for offset in (0, 3 * MIB + 4096, 8 * MIB - 512):
            chunk = bytes(rng.getrandbits(8) for _ in range(512))
            source[offset:offset + 512] = chunk
        status, _, body = transfer(xapid, session, "PUT", "/import_raw_vdi", body=bytes(source),
                                   headers={"Content-Length": str(len(source))}, vdi=vdi, format="raw")
        assert status == 200, body
        uuid = x.VM.get_uuid(vm)
        through_xe = folder / "xe.xva"
        result = subprocess.run([XE, "vm-export", "uuid=" + uuid, f"filename={through_xe}"], capture_output=True,
                                text=True, env={"XE_SOCKET": socket_path, "PATH": os.environ["PATH"]}, timeout=120)
        assert result.returncode == 0 and result.stdout.strip() == "Export succeeded", result.stderr
        task = x.task.create("export", "")
        status, headers, body = transfer(xapid, session, "GET", "/export", uuid=uuid, task_id=task)
        assert status == 200 and headers.get("task-id") == task
        assert x.task.get_status(task) == "success"
        through_http = folder / "http.xva"
        through_http.write_bytes(body)
        disk_uuid = x.VDI.get_uuid(vdi)
        yield {"xe": through_xe, "http": through_http, "source": bytes(source), "folder": folder,
               "session": session, "vm": vm, "vdi_uuid": disk_uuid, "xapid": xapid}
        session.xenapi.session.logout()


def ova(path):
    with tarfile.open(path) as archive:
        first = archive.next()
        assert first.name == "ova.xml"
        text = archive.extractfile(first).read().decode()
    (value,), _ = xmlrpc.client.loads("<methodResponse><params><param>" + text + "</param></params></methodResponse>")
    return value


def test_both_ways_give_the_same_stream_shape_with_ova_xml_first(exported):
    for key in ("xe", "http"):
        with tarfile.open(exported[key]) as archive:
            names = archive.getnames()
        assert names[0] == "ova.xml"
        assert all(n.startswith("Ref:") for n in names[1:])
        # Each chunk is followed by its checksum member.
        for data, check in zip(names[1::2], names[2::2]):
            assert check == data + ".xxhash"


def test_ova_xml_has_complete_records_and_our_version(exported):
    value = ova(exported["http"])
    version = value["version"]
    assert version["export_vsn"] == "2"
    session = exported["session"]
    master = session.xenapi.pool.get_master(session.xenapi.pool.get_all()[0])
    software = session.xenapi.host.get_software_version(master)
    assert f'{version["xapi_major"]}.{version["xapi_minor"]}' == software["xapi"]
    assert version["product_version"] == software["product_version"]
    classes = {}
    for entry in value["objects"]:
        classes.setdefault(entry["class"], []).append(entry)
    assert len(classes["VM"]) == 1
    vm = classes["VM"][0]["snapshot"]
    assert vm["name_label"] == "exported" and vm["power_state"] == "Halted"
    # Complete records: every field the VM record has over the API.
    assert set(session.xenapi.VM.get_record(exported["vm"]).keys()) <= set(vm.keys())
    ids = {entry["id"] for entries in classes.values() for entry in entries}
    for vbd in vm["VBDs"]:
        assert vbd in ids
    for entry in classes["VBD"]:
        assert entry["snapshot"]["VM"] == classes["VM"][0]["id"]
        assert entry["snapshot"]["currently_attached"] is False
    assert any(e["snapshot"]["uuid"] == exported["vdi_uuid"] for e in classes["VDI"])


def test_every_chunk_checksum_matches_xxhsum(exported):
    folder = exported["folder"] / "extracted"
    folder.mkdir()
    subprocess.run(["tar", "-xf", str(exported["http"]), "-C", str(folder)], check=True)
    checked = 0
    for directory in folder.glob("Ref:*"):
        for chunk in sorted(directory.iterdir()):
            if chunk.suffix == ".xxhash":
                continue
            printed = subprocess.run(["xxhsum", "-H1", str(chunk)], capture_output=True, text=True, check=True)
            assert printed.stdout.split()[0].upper() == (directory / (chunk.name + ".xxhash")).read_text()
            checked += 1
    assert checked >= 3


def reassemble(path, prefix):
    """The disk as xapi's importer rebuilds it: chunk k at k MiB, missing chunks as zeros."""
    data = bytearray()
    with tarfile.open(path) as archive:
        for member in archive:
            if not member.name.startswith(prefix + "/") or member.name.endswith(".xxhash"):
                continue
            index = int(member.name.split("/")[1])
            content = archive.extractfile(member).read()
            if len(data) < index * MIB:
                data.extend(bytes(index * MIB - len(data)))
            data[index * MIB:index * MIB + len(content)] = content
    return bytes(data)


def test_disk_reassembles_byte_identical_and_zero_chunks_are_skipped(exported):
    value = ova(exported["xe"])
    ref = next(e["id"] for e in value["objects"] if e["class"] == "VDI" and e["snapshot"]["uuid"] == exported["vdi_uuid"])
    for key in ("xe", "http"):
        disk = reassemble(exported[key], ref)
        assert hashlib.sha256(disk).digest() == hashlib.sha256(exported["source"]).digest()
        with tarfile.open(exported[key]) as archive:
            chunks = [m.name for m in archive if m.name.startswith(ref + "/") and not m.name.endswith(".xxhash")]
        # Written: chunks 0, 3 and 7 (the last); the zero chunks between are left out.
        assert chunks == [f"{ref}/00000000", f"{ref}/00000003", f"{ref}/00000007"]


def test_a_running_vm_is_refused(exported):
    session = exported["session"]
    x = session.xenapi
    template = x.VM.get_by_name_label("Other install media")[0]
    vm = x.VM.clone(template, "running")
    x.VM.provision(vm)
    x.VM.start(vm, False, False)
    task = x.task.create("export", "")
    status, _, body = transfer(exported["xapid"], session, "GET", "/export", uuid=x.VM.get_uuid(vm), task_id=task)
    assert status != 200
    assert x.task.get_status(task) == "failure"
    assert x.task.get_error_info(task)[0] == "VM_BAD_POWER_STATE"
    x.VM.hard_shutdown(vm)


@pytest.mark.parametrize("compress", ["gzip", "zstd"])
def test_compressed_exports_decompress_with_the_standard_tools_and_import_again(exported, compress):
    """xe vm-export compress=… writes the whole stream compressed: gzip (Python's gzip module) and
    zstd (Debian's zstd) give back a stream whose disk reassembles byte for byte, and the
    compressed file imports again."""
    import gzip
    xapid, session = exported["xapid"], exported["session"]
    socket_path = str(exported["folder"] / "xapi.sock")
    uuid = session.xenapi.VM.get_uuid(exported["vm"])
    path = exported["folder"] / f"vm.{compress}.xva"
    env = {"XE_SOCKET": socket_path, "PATH": os.environ["PATH"]}
    result = subprocess.run([XE, "vm-export", "uuid=" + uuid, f"filename={path}", f"compress={compress}"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    plain = exported["folder"] / f"vm.{compress}.tar"
    if compress == "gzip":
        assert path.read_bytes()[:2] == b"\x1f\x8b"
        plain.write_bytes(gzip.decompress(path.read_bytes()))
    else:
        assert path.read_bytes()[:4] == b"\x28\xb5\x2f\xfd"
        subprocess.run(["zstd", "-d", "-q", "-f", str(path), "-o", str(plain)], check=True)
    assert path.stat().st_size < plain.stat().st_size
    value = ova(plain)
    ref = next(e["id"] for e in value["objects"] if e["class"] == "VDI" and e["snapshot"]["uuid"] == exported["vdi_uuid"])
    assert hashlib.sha256(reassemble(plain, ref)).digest() == hashlib.sha256(exported["source"]).digest()
    again = subprocess.run([XE, "vm-import", f"filename={path}"], capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0, again.stderr
    copy = session.xenapi.VM.get_by_uuid(again.stdout.strip())
    assert session.xenapi.VM.get_name_label(copy) == "exported"


def test_round_trip_into_a_second_single_host_xapid_with_and_without_preserved_macs(exported, start_xapid):
    """Export from one pool with the SDK's session, import into another xapid (its own pool of one
    host): the disk byte for byte, MACs regenerated unless restore, kept with it."""
    import http.client
    import urllib.parse
    source_session = exported["session"]
    x = source_session.xenapi
    network = x.network.get_all()[0]
    vif = x.VIF.create({"VM": exported["vm"], "network": network, "device": "0", "MAC": "", "MTU": "1500",
                        "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {}})
    mac = x.VIF.get_MAC(vif)
    stream = exported["folder"] / "for-b.xva"
    status, _, body = transfer(exported["xapid"], source_session, "GET", "/export", uuid=x.VM.get_uuid(exported["vm"]))
    assert status == 200
    stream.write_bytes(body)
    other = start_xapid("--hostname", "beta", "--https-listen", "off")
    target = other.login()
    try:
        y = target.xenapi
        for restore in ("false", "true"):
            task = y.task.create("import", "")
            query = urllib.parse.urlencode({"session_id": target._session, "task_id": task, "restore": restore})
            connection = http.client.HTTPConnection("127.0.0.1", other.port, timeout=120)
            connection.request("PUT", "/import?" + query, body=stream.read_bytes(), headers={"Content-Length": str(len(body))})
            assert connection.getresponse().status == 200
            connection.close()
            assert y.task.get_status(task) == "success", y.task.get_error_info(task)
            vm = [v for v in y.VM.get_all() if v in y.task.get_result(task)][0]
            macs = [y.VIF.get_MAC(v) for v in y.VM.get_VIFs(vm)]
            assert (macs == [mac]) == (restore == "true")
            disks = [y.VBD.get_VDI(b) for b in y.VM.get_VBDs(vm) if y.VBD.get_type(b) == "Disk"]
            data = [d for d in disks if y.VDI.get_name_label(d) == "data"][0]
            status, _, raw = transfer(other, target, "GET", "/export_raw_vdi", vdi=data, format="raw")
            assert status == 200 and raw == exported["source"]
    finally:
        target.xenapi.session.logout()
        x.VIF.destroy(vif)


def test_metadata_export_and_import_use_the_pools_own_disks(exported):
    """GET /export_metadata writes ova.xml alone; xe vm-import metadata=true makes a VM whose
    drives hold the pool's disks of the same uuids."""
    xapid, session = exported["xapid"], exported["session"]
    x = session.xenapi
    status, _, body = transfer(xapid, session, "GET", "/export_metadata", uuid=x.VM.get_uuid(exported["vm"]))
    assert status == 200
    path = exported["folder"] / "metadata.xva"
    path.write_bytes(body)
    with tarfile.open(path) as archive:
        assert archive.getnames() == ["ova.xml"]
    env = {"XE_SOCKET": str(exported["folder"] / "xapi.sock"), "PATH": os.environ["PATH"]}
    disks_before = len(x.VDI.get_all())
    result = subprocess.run([XE, "vm-import", f"filename={path}", "metadata=true"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    copy = x.VM.get_by_uuid(result.stdout.strip())
    assert len(x.VDI.get_all()) == disks_before
    shared = {x.VDI.get_uuid(x.VBD.get_VDI(b)) for b in x.VM.get_VBDs(copy) if x.VBD.get_type(b) == "Disk"}
    assert exported["vdi_uuid"] in shared
    for vbd in x.VM.get_VBDs(copy):
        x.VBD.destroy(vbd)
    x.VM.destroy(copy)


def test_sha1_exports_read_by_xva_img(exported, tmp_path):
    """With checksum=sha1 the export carries XenServer 8.0's `.checksum` members, which Debian's
    xva-img checks while it reassembles the disk (`disk-export` stops on a wrong SHA-1); the disk
    it writes is the source, byte for byte, and the stream imports again."""
    session, xapid = exported["session"], exported["xapid"]
    status, _, body = transfer(xapid, session, "GET", "/export", uuid=session.xenapi.VM.get_uuid(exported["vm"]),
                               checksum="sha1")
    assert status == 200
    path = tmp_path / "sha1.xva"
    path.write_bytes(body)
    with tarfile.open(path) as archive:
        names = archive.getnames()
    assert not any(name.endswith(".xxhash") for name in names) and any(name.endswith(".checksum") for name in names)
    value = ova(path)
    ref = next(e["id"] for e in value["objects"] if e["class"] == "VDI" and e["snapshot"]["uuid"] == exported["vdi_uuid"])
    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    subprocess.run(["tar", "-xf", str(path), "-C", str(unpacked)], check=True)
    disk = tmp_path / "disk.raw"
    read = subprocess.run(["xva-img", "-p", "disk-export", str(unpacked / ref) + "/", str(disk)],
                          capture_output=True, text=True, timeout=120)
    assert read.returncode == 0, read.stdout + read.stderr
    assert disk.read_bytes()[:len(exported["source"])] == exported["source"]
    # A corrupted chunk is what xva-img must notice, so the check above can fail.
    first = next(p for p in sorted((unpacked / ref).iterdir()) if not p.name.endswith(".checksum"))
    data = bytearray(first.read_bytes())
    data[0] ^= 0xFF
    first.write_bytes(bytes(data))
    broken = subprocess.run(["xva-img", "-p", "disk-export", str(unpacked / ref) + "/", str(tmp_path / "b.raw")],
                            capture_output=True, text=True, timeout=120)
    assert broken.returncode != 0
