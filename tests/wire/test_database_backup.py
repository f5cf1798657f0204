"""The pool database's backup in xapi's XML dump format: `xe pool-dump-database`,
`GET /pool/xmldbdump`, and `xe pool-restore-database` (dry run, --force, a dump of another
schema version refused), the restored state durable across a restart of xapid."""
import http.client
import os
import subprocess
import urllib.parse
import xml.etree.ElementTree as ElementTree

from test_vm_lifecycle import new_vm
from test_xe import XE


def test_dump_and_restore_through_xe_and_http(start_xapid, tmp_path):
    socket_path = str(tmp_path / "xapi.sock")
    xapid = start_xapid("--simulated-hosts", "2", "--unix-socket", socket_path)
    env = {"XE_SOCKET": socket_path, "PATH": os.environ["PATH"]}

    def xe(*args, ok=True):
        done = subprocess.run([XE, *args], capture_output=True, text=True, env=env, timeout=120)
        if ok:
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    session = xapid.login()
    x = session.xenapi
    pool = x.pool.get_all()[0]
    before = new_vm(x, "kept in the backup")
    x.VM.set_name_description(before, "two words\tand a tab, 100%")
    x.VM.add_to_other_config(before, "key with space", "it's 'quoted'")
    dump = tmp_path / "pool.xml"
    xe("pool-dump-database", "file-name=%s" % dump)
    text = dump.read_text()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<database><manifest>')
    root = ElementTree.fromstring(text.split("\n", 1)[1])
    manifest = {pair.get("key"): pair.get("value") for pair in root.find("manifest")}
    assert manifest["schema_major_vsn"] == "5" and manifest["schema_minor_vsn"] == "909"
    assert int(manifest["generation_count"]) > 0
    tables = {table.get("name"): table for table in root.findall("table")}
    assert [t.get("name") for t in root.findall("table")] == sorted(tables, key=lambda n: n.encode())
    assert len(tables["session"]) == 0 and len(tables["task"]) == 0, "tables that do not persist are written empty"
    (row,) = [r for r in tables["VM"] if r.get("name__label") == "kept%.in%.the%.backup"]
    assert row.get("ref") == before and row.get("_ref") == before
    assert row.get("name__description") == "two%.words%tand%.a%.tab,%.100%%"
    assert row.get("power_state") == "halted"
    # A map as an S-expression, its spaces protected too.
    assert "%.('key%.with%.space'%.'it\\'s%.\\'quoted\\'')" in row.get("other_config")
    assert row.get("other_config").startswith("((") and row.get("other_config").endswith("))")
    assert list(row.keys())[:3] == ["ref", "__ctime", "__mtime"]
    # The same over HTTP.
    connection = http.client.HTTPConnection("127.0.0.1", xapid.port, timeout=60)
    connection.request("GET", "/pool/xmldbdump?" + urllib.parse.urlencode({"session_id": session._session}))
    response = connection.getresponse()
    body = response.read().decode()
    assert response.status == 200 and body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<database>')

    # The pool moves on.
    after = new_vm(x, "made after the backup")
    x.VM.destroy(before)
    label = x.pool.get_name_label(pool)
    x.pool.set_name_label(pool, "renamed after the backup")

    refused = xe("pool-restore-database", "file-name=%s" % dump, ok=False)
    assert refused.returncode == 1 and "This operation must be forced (use --force)." in refused.stderr
    assert xe("pool-restore-database", "file-name=%s" % dump, "dry-run=true").stdout.strip() == "Dry-run backup restore successful"
    assert x.pool.get_name_label(pool) == "renamed after the backup" and after in x.VM.get_all()

    wrong = tmp_path / "other-version.xml"
    wrong.write_text(text.replace('value="909"', 'value="908"', 1))
    refused = xe("pool-restore-database", "file-name=%s" % wrong, "--force", ok=False)
    assert refused.returncode == 1 and "another version of the software" in refused.stderr, refused.stderr

    xe("pool-restore-database", "file-name=%s" % dump, "--force")
    # The caller's session survives; the objects are the backup's.
    assert x.pool.get_name_label(pool) == label
    assert after not in x.VM.get_all()
    assert x.VM.get_name_description(before) == "two words\tand a tab, 100%"
    assert x.VM.get_other_config(before)["key with space"] == "it's 'quoted'"
    assert len(x.host.get_all()) == 2
    for host in x.host.get_all():
        assert x.host.get_enabled(host) and len(x.host.get_PIFs(host)) == 1
    assert len(x.VM.get_VBDs(before)) == len([v for v in x.VBD.get_all() if x.VBD.get_VM(v) == before])

    # Durable: the restored database is what xapid starts from.
    xapid.stop()
    xapid.start()
    x = xapid.login().xenapi
    assert x.pool.get_name_label(x.pool.get_all()[0]) == label
    assert x.VM.get_name_label(before) == "kept in the backup"
    assert not [vm for vm in x.VM.get_all() if x.VM.get_name_label(vm) == "made after the backup"]
