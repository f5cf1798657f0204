"""Our differencing chains read by an independent VHD reader: libvhdi (Debian's libvhdi-utils and
python3-libvhdi, run with the system Python, which has them). Writes here are whole 4 KiB runs:
libvhdi misreads differencing chains at finer granularity (its known bug)."""
import os
import subprocess

import pytest

from test_storage import MIB, download, local_sr, new_disk, same, sparse_image, upload

SYSTEM_PYTHON = "/usr/bin/python3"

READ_CHAIN = r"""
import sys, pyvhdi
paths, out = sys.argv[1:-1], sys.argv[-1]
files = []
for path in paths:
    f = pyvhdi.file()
    f.open(path)
    files.append(f)
for child, parent in zip(files, files[1:]):
    child.set_parent(parent)
leaf = files[0]
with open(out, "wb") as target:
    size, offset = leaf.get_media_size(), 0
    while offset < size:
        chunk = leaf.read_buffer_at_offset(min(1 << 20, size - offset), offset)
        target.write(chunk)
        offset += len(chunk)
"""


def libvhdi_available():
    return subprocess.run([SYSTEM_PYTHON, "-c", "import pyvhdi"], capture_output=True).returncode == 0


@pytest.mark.skipif(not libvhdi_available(), reason="python3-libvhdi is not installed (.ci/run installs it)")
def test_libvhdi_reads_our_differencing_chains(start_xapid, tmp_path):
    xapid = start_xapid()
    session = xapid.login()
    x = session.xenapi
    sr = local_sr(x)
    vdi = new_disk(x, sr, 16 * MIB)
    first = str(tmp_path / "first.raw")
    sparse_image(first, 16 * MIB, [(0, 8192), (3 * MIB, MIB), (15 * MIB, 4096)], seed=11)
    upload(xapid, session, vdi, first)
    x.VDI.snapshot(vdi, {})
    change = str(tmp_path / "change.raw")
    sparse_image(change, 16 * MIB, [(4096, 4096), (9 * MIB, 12288)], seed=12)
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic", change,
                    str(tmp_path / "change.vhd")], check=True)
    upload(xapid, session, vdi, str(tmp_path / "change.vhd"), fmt="vhd")
    download(xapid, session, vdi, str(tmp_path / "ours.raw"))

    folder = os.path.join(xapid.data_dir, "sr", x.SR.get_uuid(sr))
    chain = [os.path.join(folder, x.VDI.get_location(vdi) + ".vhd")]
    while True:
        info = subprocess.run(["vhdiinfo", chain[-1]], capture_output=True, text=True, check=True).stdout
        if "Differential" not in info:
            break
        parent = x.VDI.get_sm_config(x.VDI.get_by_uuid(os.path.basename(chain[-1])[:-4])).get("vhd-parent")
        assert parent and f"Parent filename\t\t: {parent}.vhd" in info, info
        chain.append(os.path.join(folder, parent + ".vhd"))
    assert len(chain) >= 2, "the disk is a differencing chain"
    subprocess.run([SYSTEM_PYTHON, "-c", READ_CHAIN, *chain, str(tmp_path / "libvhdi.raw")], check=True)
    assert same(str(tmp_path / "ours.raw"), str(tmp_path / "libvhdi.raw"))
