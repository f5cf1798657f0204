"""Update management the XenServer 8 way, over the wire with the Python SDK: the user's update
guide end to end against `xapid --simulated-hosts 3` and a real repository server (`xen-repo
serve` over the fixtures, signed yum repositories made by createrepo_c): channels, sync and the
hash, `GET /updates` exactly as the fixtures' expected.json says, applying host by host with the
guidance carried out, the offline bundle, and every refusal with xapi's error code."""
import http.client
import json
import os
import shutil
import subprocess
import urllib.parse

import pytest

from conftest import ROOT
from test_vm_lifecycle import GIB, failure, new_vm
from test_xe import XE

XEN_REPO = os.environ.get("XEN_REPO", os.path.join(ROOT, ".build", "debug", "xen-repo"))
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "updates")
KEY = "RPM-GPG-KEY-fixture"
NORMAL_1 = "b504ae11ec84486a0d1a287c2a9c515060084fa6f2897582d3cf9a28abfb12ef"
NORMAL_2 = "ed847e06c268acc5e592a3e9a0172353472cd319b4c713e7deceff594b2a3907"


def expected():
    with open(os.path.join(FIXTURES, "expected.json")) as f:
        return json.load(f)


def scenario(name):
    return next(s for s in expected()["scenarios"] if s["id"] == name)


class RepositoryServer:
    """`xen-repo serve` over a folder of channels; `point(name, state)` makes /<name> serve a
    fixture repository state, as a CDN moves a channel from one state to the next."""

    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.process = subprocess.Popen([XEN_REPO, "serve", folder], stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        assert line.startswith("serving "), line
        self.url = line.split(" on ")[1].strip().rstrip("/")

    def point(self, name, state):
        path = os.path.join(self.folder, name)
        if os.path.islink(path) or os.path.isfile(path):
            os.unlink(path)
        elif os.path.isdir(path):
            shutil.rmtree(path)
        os.symlink(os.path.join(FIXTURES, state), path)
        return self.url + "/" + name

    def copy(self, name, state):
        """A writable copy of a state, to tamper with."""
        path = os.path.join(self.folder, name)
        if os.path.lexists(path):
            os.unlink(path) if os.path.islink(path) else shutil.rmtree(path)
        shutil.copytree(os.path.join(FIXTURES, state), path)
        return path, self.url + "/" + name

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def server(tmp_path):
    repositories = RepositoryServer(str(tmp_path / "www"))
    yield repositories
    repositories.close()


@pytest.fixture
def keys(tmp_path):
    folder = tmp_path / "rpm-gpg"
    folder.mkdir()
    shutil.copy(os.path.join(FIXTURES, KEY), folder / KEY)
    return str(folder)


def start_pool(start_xapid, keys, hosts=3, extra=()):
    return start_xapid("--simulated-hosts", str(hosts), "--simulated-host-memory", "20GiB",
                       "--repository-domain-name-allowlist", "127.0.0.1",
                       "--repository-gpgkey-dir", keys, "--repository-gpgkey-name", KEY, *extra)


def hosts_of(x):
    master = x.pool.get_master(x.pool.get_all()[0])
    members = sorted((h for h in x.host.get_all() if h != master), key=x.host.get_name_label)
    return [master] + members


def http_request(xapid, method, path, body=None, **query):
    connection = http.client.HTTPConnection("127.0.0.1", xapid.port, timeout=120)
    headers = {"Content-Length": str(len(body))} if body is not None else {}
    connection.request(method, path + "?" + urllib.parse.urlencode(query), body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def get_updates(xapid, session, **query):
    status, data = http_request(xapid, "GET", "/updates", session_id=session._session, **query)
    assert status == 200, data
    return json.loads(data)


def put_bundle(xapid, session, path):
    x = session.xenapi
    task = x.task.create("bundle", "")
    with open(path, "rb") as f:
        body = f.read()
    status, _ = http_request(xapid, "PUT", "/bundle", body=body, session_id=session._session, task_id=task)
    assert status == 200
    return task


def introduce_channel(x, server, state):
    base = x.Repository.introduce("base", "XenServer 8 base", server.point("base", "base"), server.url + "/base-src",
                                  False, KEY)
    normal = x.Repository.introduce("normal", "Normal channel", server.point("normal", state),
                                    server.url + "/normal-src", True, KEY)
    x.pool.set_repositories(x.pool.get_all()[0], [base, normal])
    return base, normal


def check_host_entry(entry, want, ref):
    assert entry["ref"] == ref
    for key in ("guidance", "RPMS", "updates", "livepatches"):
        assert entry[key] == want[key], key


def test_repository_rules_with_xapis_errors(start_xapid, keys, server):
    xapid = start_pool(start_xapid, keys, hosts=1)
    session = xapid.login()
    x = session.xenapi
    pool = x.pool.get_all()[0]
    base_url = server.point("base", "base")
    assert failure(x.Repository.introduce, "r", "", "ftp://127.0.0.1/x", base_url, False, "") == ["INVALID_BASE_URL", "ftp://127.0.0.1/x"]
    assert failure(x.Repository.introduce, "r", "", "http://example.com/x", base_url, False, "") == [
        "INVALID_BASE_URL", "http://example.com/x"]
    assert failure(x.Repository.introduce, "r", "", base_url, base_url, False, "../key") == ["INVALID_GPGKEY_PATH", "../key"]
    base = x.Repository.introduce("base", "", base_url, base_url, False, KEY)
    assert failure(x.Repository.introduce, "base", "", base_url + "2", base_url, False, "") == ["REPOSITORY_ALREADY_EXISTS", base]
    assert failure(x.Repository.introduce, "other", "", base_url, base_url, False, "") == ["REPOSITORY_ALREADY_EXISTS", base]
    one = x.Repository.introduce("normal", "", server.point("normal", "normal-1"), base_url, True, KEY)
    two = x.Repository.introduce("early", "", server.point("early", "normal-2"), base_url, True, KEY)
    assert failure(x.pool.sync_updates, pool, False, "", "") == ["NO_REPOSITORY_ENABLED"]
    assert failure(x.pool.set_repositories, pool, [base, one, two]) == ["MULTIPLE_UPDATE_REPOSITORIES_ENABLED"]
    x.pool.set_repositories(pool, [base, one])
    # Switching channel means removing the old one first.
    assert failure(x.pool.add_repository, pool, two) == ["MULTIPLE_UPDATE_REPOSITORIES_ENABLED"]
    assert failure(x.Repository.forget, one) == ["REPOSITORY_IS_IN_USE"]
    bundle = x.Repository.introduce_bundle("bundle", "")
    assert failure(x.Repository.introduce_bundle, "bundle-2", "") == ["BUNDLE_REPOSITORY_ALREADY_EXISTS", bundle]
    assert failure(x.pool.add_repository, pool, bundle) == ["MULTIPLE_UPDATE_REPOSITORIES_ENABLED"]
    x.pool.remove_repository(pool, one)
    assert failure(x.pool.add_repository, pool, bundle) == ["REPO_SHOULD_BE_SINGLE_ONE_ENABLED"]
    x.pool.set_repositories(pool, [bundle])
    assert failure(x.pool.sync_updates, pool, False, "", "") == ["CAN_NOT_SYNC_UPDATES"]
    x.pool.set_repositories(pool, [base, two])
    x.Repository.forget(one)
    assert one not in x.Repository.get_all()
    assert failure(x.Repository.set_gpgkey_path, base, "a/b") == ["INVALID_GPGKEY_PATH", "a/b"]
    assert failure(x.pool.configure_update_sync, pool, "weekly", "7") == ["INVALID_UPDATE_SYNC_DAY", "7"]
    x.pool.configure_update_sync(pool, "weekly", "3")
    assert x.pool.get_update_sync_day(pool) == "3" and x.pool.get_update_sync_frequency(pool) == "weekly"
    x.pool.set_update_sync_enabled(pool, True)
    assert x.pool.get_update_sync_enabled(pool)
    # A bundle repository turns the scheduled sync off.
    x.pool.set_repositories(pool, [bundle])
    assert not x.pool.get_update_sync_enabled(pool)
    assert failure(x.pool.set_update_sync_enabled, pool, True) == ["CAN_NOT_PERIODIC_SYNC_UPDATES"]
    # The proxy's password is a secret: the pool holds a reference, never the password.
    assert failure(x.pool.configure_repository_proxy, pool, "socks://proxy:1080", "u", "p") == [
        "INVALID_REPOSITORY_PROXY_URL", "socks://proxy:1080"]
    assert failure(x.pool.configure_repository_proxy, pool, "http://127.0.0.1:3128", "user", "") == [
        "INVALID_REPOSITORY_PROXY_CREDENTIAL"]
    x.pool.configure_repository_proxy(pool, "http://127.0.0.1:3128", "user", "s3cret")
    record = x.pool.get_record(pool)
    assert record["repository_proxy_url"] == "http://127.0.0.1:3128" and record["repository_proxy_username"] == "user"
    assert "s3cret" not in json.dumps(record, default=str)
    secret = record["repository_proxy_password"]
    assert x.secret.get_value(secret) == "s3cret"
    x.pool.disable_repository_proxy(pool)
    assert x.pool.get_repository_proxy_password(pool) == "OpaqueRef:NULL" and x.secret.get_all() == []
    x.pool.set_repositories(pool, [])
    assert failure(x.pool.sync_updates, pool, False, "", "") == ["NO_REPOSITORY_ENABLED"]
    assert failure(x.pool.set_update_sync_enabled, pool, True) == ["NO_REPOSITORIES_CONFIGURED"]
    task = put_bundle(xapid, session, os.path.join(FIXTURES, "bundle-1.xsbundle"))
    assert x.task.get_status(task) == "failure" and x.task.get_error_info(task) == ["BUNDLE_REPO_NOT_ENABLED"]
    status, data = http_request(xapid, "GET", "/updates", session_id=session._session)
    assert status == 404 and b"NO_REPOSITORY_ENABLED" in data


def test_the_update_guide_end_to_end(start_xapid, keys, server):
    """Configure the channel, sync, view the updates per host, then apply host by host,
    coordinator first, carrying out the guidance; then the channel moves on and the pool follows."""
    xapid = start_pool(start_xapid, keys)
    session = xapid.login()
    x = session.xenapi
    pool = x.pool.get_all()[0]
    hosts = hosts_of(x)
    vms = []
    for index, host in enumerate(hosts):
        for n in range(2):
            vm = new_vm(x, "guest-%d-%d" % (index, n), memory=GIB)
            x.VM.start_on(vm, host, False, False)
            vms.append(vm)
    for host in hosts:
        assert x.host.get_latest_synced_updates_applied(host) == "unknown"
    introduce_channel(x, server, "normal-1")
    assert x.pool.sync_updates(pool, False, "", "") == NORMAL_1
    assert x.Repository.get_hash(x.pool.get_repositories(pool)[1]) == NORMAL_1
    assert x.pool.get_last_update_sync(pool).value != "19700101T00:00:00Z"
    fresh = scenario("fresh-normal-1")
    for host in hosts:
        assert x.host.get_latest_synced_updates_applied(host) == fresh["latest_synced_updates_applied_after_sync"]
    document = get_updates(xapid, session)
    assert document["hash"] == NORMAL_1 and document["xapi-api-version"] == "2.23"
    assert sorted(document) == ["hash", "hosts", "updates", "xapi-api-version"]
    assert sorted(entry["ref"] for entry in document["hosts"]) == sorted(hosts)
    for entry in document["hosts"]:
        check_host_entry(entry, fresh["updates_host_entry"], entry["ref"])
    assert document["updates"] == fresh["updates_records"]
    # One host at a time, the way the documents say.
    only = get_updates(xapid, session, host_refs=hosts[1])
    assert [entry["ref"] for entry in only["hosts"]] == [hosts[1]]
    status, _ = http_request(xapid, "GET", "/updates", session_id=session._session, host_refs="OpaqueRef:nope")
    assert status == 400

    # The refusals before anything is installed: this pool runs with HA on, as the guide's does.
    coordinator = hosts[0]
    x.pool.enable_ha([x.pool.get_default_SR(pool)], {"timeout": "60"})
    assert failure(x.pool.enable_ha, [], {}) == ["HA_IS_ENABLED"]
    assert failure(x.host.apply_updates, coordinator, NORMAL_1) == ["HA_IS_ENABLED"]
    ha_configuration = x.pool.get_ha_configuration(pool)
    x.pool.disable_ha()
    assert failure(x.pool.disable_ha) == ["HA_NOT_ENABLED"]
    assert failure(x.host.apply_updates, coordinator, "") == ["UPDATEINFO_HASH_MISMATCH"]
    assert failure(x.host.apply_updates, coordinator, NORMAL_2) == ["UPDATEINFO_HASH_MISMATCH"]
    assert failure(x.host.apply_updates, coordinator, NORMAL_1) == ["HOST_EVACUATION_IS_REQUIRED", coordinator]
    # WLB: the flag exists, and without a WLB server it cannot be turned on.
    assert failure(x.pool.set_wlb_enabled, pool, True)[0] in ("WLB_NOT_INITIALIZED", "LICENCE_RESTRICTION")
    assert not x.pool.get_wlb_enabled(pool)

    pending = fresh["pending_added_by_apply"]
    for step, host in enumerate(hosts):
        residents = [vm for vm in vms if x.VM.get_resident_on(vm) == host]
        x.host.disable(host)
        x.host.evacuate(host)
        assert all(x.VM.get_resident_on(vm) != host for vm in residents)
        assert x.host.apply_updates(host, NORMAL_1) == []
        record = x.host.get_record(host)
        assert record["pending_guidances"] == pending["mandatory"]
        assert record["pending_guidances_recommended"] == pending["recommended"]
        assert record["pending_guidances_full"] == pending["full"]
        assert record["latest_synced_updates_applied"] == "yes" and record["last_update_hash"] == NORMAL_1
        assert record["last_software_update"].value != "19700101T00:00:00Z"
        assert not record["enabled"]
        if step == 0:
            # The coordinator's apply: every running VM of the pool must restart on an updated host.
            for vm in vms:
                assert "restart_vm" in x.VM.get_pending_guidances_recommended(vm)
        # Mandatory guidance pending: no other update until it is done.
        assert failure(x.host.apply_updates, host, NORMAL_1) == ["HOST_PENDING_MANDATORY_GUIDANCE_NOT_EMPTY", host]
        # Carry out the mandatory guidance: restart the toolstack; the host comes back enabled.
        x.host.restart_agent(host)
        record = x.host.get_record(host)
        assert record["pending_guidances"] == [] and record["enabled"]
        assert record["pending_guidances_full"] == ["reboot_host"]
        # The VMs go back where they were.
        for vm in residents:
            x.VM.pool_migrate(vm, host, {"live": "true"})
    # The recommended guidance for VMs: restart each one; its pending guidance clears.
    for vm in vms:
        x.VM.clean_reboot(vm)
        assert x.VM.get_pending_guidances_recommended(vm) == []
    for host in hosts:
        record = x.host.get_record(host)
        assert record["latest_synced_updates_applied"] == "yes" and record["pending_guidances"] == []
    # Up to date: nothing left to install anywhere. HA goes back on as it was.
    document = get_updates(xapid, session)
    assert all(entry["RPMS"] == [] and entry["updates"] == [] for entry in document["hosts"])
    x.pool.enable_ha([x.pool.get_default_SR(pool)], ha_configuration)
    assert x.pool.get_ha_enabled(pool) and x.pool.get_ha_configuration(pool) == {"timeout": "60"}
    x.pool.disable_ha()

    # A month later the channel has moved on: sync again, a new hash, new guidance.
    server.point("normal", "normal-2")
    assert x.pool.sync_updates(pool, False, "", "") == NORMAL_2
    for host in hosts:
        assert x.host.get_latest_synced_updates_applied(host) == "no"
    later = scenario("livepatched-normal-2")
    document = get_updates(xapid, session)
    for entry in document["hosts"]:
        check_host_entry(entry, later["updates_host_entry"], entry["ref"])
    assert document["updates"] == later["updates_records"]
    # No evacuation needed this time: apply on an enabled host with its VMs running.
    assert x.host.apply_updates(coordinator, NORMAL_2) == []
    assert x.host.get_pending_guidances(coordinator) == ["restart_toolstack"]


def test_offline_bundle_and_broken_bundles(start_xapid, keys):
    xapid = start_pool(start_xapid, keys, hosts=2)
    session = xapid.login()
    x = session.xenapi
    pool = x.pool.get_all()[0]
    bundle = x.Repository.introduce_bundle("offline", "Offline updates")
    x.pool.set_repositories(pool, [bundle])
    for name, want in sorted(expected()["bundles"].items()):
        if want["expect"] == "ok":
            continue
        task = put_bundle(xapid, session, os.path.join(FIXTURES, name))
        assert x.task.get_status(task) == "failure", name
        assert x.task.get_error_info(task)[0] == want["expect"], (name, x.task.get_error_info(task))
        # Refused: nothing changed.
        assert x.Repository.get_hash(bundle) == ""
        status, _ = http_request(xapid, "GET", "/updates", session_id=session._session)
        assert status == 404
    alerts = [m for m in x.message.get_all_records().values() if m["name"] == "UPDATE_SYNC_FAILED"]
    assert alerts, "a refused bundle raises an alert"
    task = put_bundle(xapid, session, os.path.join(FIXTURES, "bundle-1.xsbundle"))
    assert x.task.get_status(task) == "success", x.task.get_error_info(task)
    assert x.task.get_result(task) == "<value>%s</value>" % NORMAL_1 and x.Repository.get_hash(bundle) == NORMAL_1
    assert float(x.task.get_progress(task)) == 1.0
    document = get_updates(xapid, session)
    fresh = scenario("fresh-bundle-1")
    for entry in document["hosts"]:
        check_host_entry(entry, fresh["updates_host_entry"], entry["ref"])
    # A broken bundle after a good one leaves the good one's state as it was.
    task = put_bundle(xapid, session, os.path.join(FIXTURES, "bundle-1-unsigned.xsbundle"))
    assert x.task.get_error_info(task)[0] == "BUNDLE_SYNC_FAILED"
    assert x.Repository.get_hash(bundle) == NORMAL_1
    assert get_updates(xapid, session)["hash"] == NORMAL_1
    # Applied host by host from the bundle, coordinator first, each toolstack restarted after.
    for host in hosts_of(x):
        x.host.disable(host)
        assert x.host.apply_updates(host, NORMAL_1) == []
        assert x.host.get_pending_guidances(host) == ["restart_toolstack"]
        x.host.restart_agent(host)
        assert x.host.get_enabled(host) and x.host.get_pending_guidances(host) == []
        assert x.host.get_latest_synced_updates_applied(host) == "yes"
    assert all(entry["RPMS"] == [] for entry in get_updates(xapid, session)["hosts"])


def test_a_repository_that_fails_its_checks_leaves_the_mirror_as_it_was(start_xapid, keys, server):
    xapid = start_pool(start_xapid, keys, hosts=1)
    session = xapid.login()
    x = session.xenapi
    pool = x.pool.get_all()[0]
    base = x.Repository.introduce("base", "", server.point("base", "base"), server.url + "/src", False, KEY)
    path, url = server.copy("normal", "normal-1")
    normal = x.Repository.introduce("normal", "", url, server.url + "/src", True, KEY)
    x.pool.set_repositories(pool, [base, normal])
    assert x.pool.sync_updates(pool, False, "", "") == NORMAL_1
    before = get_updates(xapid, session)
    # The metadata no longer matches the checksum repomd.xml gives.
    updateinfo = os.path.join(path, "repodata", NORMAL_1 + "-updateinfo.xml.gz")
    with open(updateinfo, "r+b") as f:
        f.seek(100)
        byte = f.read(1)
        f.seek(100)
        f.write(bytes([byte[0] ^ 0xFF]))
    assert failure(x.pool.sync_updates, pool, False, "", "") == ["REPOSYNC_FAILED"]
    assert x.Repository.get_hash(normal) == NORMAL_1 and get_updates(xapid, session) == before
    # The signature is not the repository's: another state's signature over this repomd.xml.
    shutil.copy(os.path.join(FIXTURES, "normal-1", "repodata", os.path.basename(updateinfo)), updateinfo)
    shutil.copy(os.path.join(FIXTURES, "normal-2", "repodata", "repomd.xml.asc"), os.path.join(path, "repodata", "repomd.xml.asc"))
    assert failure(x.pool.sync_updates, pool, False, "", "") == ["REPOSYNC_FAILED"]
    os.unlink(os.path.join(path, "repodata", "repomd.xml.asc"))
    assert failure(x.pool.sync_updates, pool, False, "", "") == ["REPOSYNC_FAILED"]
    assert get_updates(xapid, session) == before
    alerts = [m for m in x.message.get_all_records().values() if m["name"] == "UPDATE_SYNC_FAILED"]
    assert len(alerts) == 3
    # A key the admin names that is not in the key folder is refused too.
    x.Repository.set_gpgkey_path(normal, "RPM-GPG-KEY-missing")
    shutil.copy(os.path.join(FIXTURES, "normal-1", "repodata", "repomd.xml.asc"), os.path.join(path, "repodata", "repomd.xml.asc"))
    assert failure(x.pool.sync_updates, pool, False, "", "") == ["REPOSYNC_FAILED"]
    x.Repository.set_gpgkey_path(normal, KEY)
    assert x.pool.sync_updates(pool, True, "", "") == NORMAL_1


def test_xen_repo_builds_a_signed_repository_the_pool_syncs(start_xapid, tmp_path, server):
    """The project's own tool: a repository built from a description, signed with a key it
    makes, served, synced, and its update offered with its guidance."""
    description = {
        "xapi_api_version": "2.23", "revision": 1768867200,
        "packages": ["xapi-core-25.6.1-1.1.xs8.x86_64.rpm", "xapi-xe-25.6.1-1.1.xs8.x86_64.rpm"],
        "updates": [{"id": "DEMO-0001", "type": "bugfix", "title": "xapi 25.6.1", "summary": "Toolstack fixes",
                     "issued": "2026-01-06 09:00:00", "guidance": {"mandatory": ["RestartToolstack"]},
                     "packages": ["xapi-core-25.6.1-1.1.xs8.x86_64.rpm", "xapi-xe-25.6.1-1.1.xs8.x86_64.rpm"]}],
    }
    (tmp_path / "demo.json").write_text(json.dumps(description))
    output = os.path.join(server.folder, "demo")
    subprocess.run([XEN_REPO, "build", str(tmp_path / "demo.json"), output, "--gnupg-home", str(tmp_path / "gnupg")],
                   check=True, capture_output=True)
    keys = tmp_path / "keys"
    keys.mkdir()
    shutil.copy(os.path.join(output, "RPM-GPG-KEY-xen-repo"), keys / "RPM-GPG-KEY-xen-repo")
    xapid = start_xapid("--repository-domain-name-allowlist", "127.0.0.1", "--repository-gpgkey-dir", str(keys),
                        "--repository-gpgkey-name", "RPM-GPG-KEY-xen-repo")
    x = xapid.login().xenapi
    pool = x.pool.get_all()[0]
    demo = x.Repository.introduce("demo", "", server.url + "/demo", server.url + "/demo", True, "")
    x.pool.set_repositories(pool, [demo])
    digest = x.pool.sync_updates(pool, False, "", "")
    assert len(digest) == 64
    document = get_updates(xapid, xapid.login())
    (entry,) = document["hosts"]
    assert entry["updates"] == ["DEMO-0001"] and entry["guidance"]["mandatory"] == ["RestartToolstack"]
    assert entry["RPMS"] == ["xapi-core-25.6.1-1.1.xs8.x86_64.rpm", "xapi-xe-25.6.1-1.1.xs8.x86_64.rpm"]


def test_update_commands_through_xe(start_xapid, keys, server, tmp_path):
    """The same work through `xe`, with xapi's command names: channels, sync, apply, the
    schedule, the proxy, HA, and the offline bundle."""
    socket_path = str(tmp_path / "xapi.sock")
    xapid = start_pool(start_xapid, keys, hosts=2, extra=("--unix-socket", socket_path))
    env = {"XE_SOCKET": socket_path, "PATH": os.environ["PATH"]}

    def xe(*args, ok=True):
        done = subprocess.run([XE, *args], capture_output=True, text=True, env=env, timeout=120)
        if ok:
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    base = xe("repository-introduce", "name-label=base", "binary-url=" + server.point("base", "base"),
              "source-url=" + server.url + "/src", "update=false", "gpgkey-path=" + KEY).stdout.strip()
    normal = xe("repository-introduce", "name-label=normal", "binary-url=" + server.point("normal", "normal-1"),
                "source-url=" + server.url + "/src", "update=true").stdout.strip()
    assert len(base) == 36 and len(normal) == 36
    refused = xe("repository-introduce", "name-label=bad", "binary-url=http://example.com/x", "source-url=http://example.com/y",
                 "update=true", ok=False)
    # xe prints the error's documentation and arguments, as xapi's does.
    assert refused.returncode == 1 and refused.stderr == "The repository URL is not valid.\nurl: http://example.com/x\n"
    pool = xe("pool-list", "--minimal").stdout.strip()
    xe("pool-param-set", "uuid=" + pool, "repositories=%s,%s" % (base, normal))
    assert set(xe("pool-param-get", "uuid=" + pool, "param-name=repositories").stdout.strip().split("; ")) == {base, normal}
    assert xe("pool-sync-updates").stdout.strip() == NORMAL_1
    assert xe("repository-param-get", "uuid=" + normal, "param-name=hash").stdout.strip() == NORMAL_1
    member = [h for h in xe("host-list", "--minimal").stdout.strip().split(",")
              if h != xe("pool-param-get", "uuid=" + pool, "param-name=master").stdout.strip()][0]
    refused = xe("host-apply-updates", "uuid=" + member, "hash=" + NORMAL_2, ok=False)
    assert refused.returncode == 1 and refused.stderr.startswith("The update information changed since it was last synchronised.")
    xe("host-disable", "uuid=" + member)
    xe("host-apply-updates", "uuid=" + member, "hash=" + NORMAL_1)
    assert xe("host-param-get", "uuid=" + member, "param-name=pending-guidances").stdout.strip() == "restart_toolstack"
    xe("pool-configure-update-sync", "update-sync-frequency=weekly", "update-sync-day=2")
    xe("pool-set-update-sync-enabled", "value=true")
    assert xe("pool-param-get", "uuid=" + pool, "param-name=update-sync-enabled").stdout.strip() == "true"
    xe("pool-set-update-sync-enabled", "value=false")
    xe("pool-configure-repository-proxy", "proxy-url=http://127.0.0.1:3128", "proxy-username=u", "proxy-password=pw")
    assert xe("pool-param-get", "uuid=" + pool, "param-name=repository-proxy-url").stdout.strip() == "http://127.0.0.1:3128"
    xe("pool-disable-repository-proxy")
    xe("pool-ha-enable")
    assert xe("pool-param-get", "uuid=" + pool, "param-name=ha-enabled").stdout.strip() == "true"
    xe("pool-ha-disable")
    bundle = xe("repository-introduce-bundle", "name-label=offline").stdout.strip()
    xe("pool-param-set", "uuid=" + pool, "repositories=" + bundle)
    refused = xe("pool-sync-bundle", "filename=" + os.path.join(FIXTURES, "bundle-1-corrupt.xsbundle"), ok=False)
    assert refused.returncode == 1 and refused.stderr.startswith("Unpacking the update bundle failed.\nerror: "), refused.stderr
    assert xe("pool-sync-bundle", "filename=" + os.path.join(FIXTURES, "bundle-1.xsbundle")).stdout.strip() == NORMAL_1
    xe("repository-forget", "uuid=" + normal)
    assert normal not in xe("repository-list", "--minimal").stdout


def test_a_pool_syncs_from_another_pools_coordinator(start_xapid, keys, server):
    """`Repository.introduce_remote_pool`: pool B mirrors what pool A's coordinator has synced,
    logging in with A's credentials, over HTTPS trusting A's certificate alone."""
    import ssl
    first = start_pool(start_xapid, keys, hosts=1)
    a = first.login().xenapi
    a_pool = a.pool.get_all()[0]
    introduce_channel(a, server, "normal-1")
    assert a.pool.sync_updates(a_pool, False, "", "") == NORMAL_1
    certificate = ssl.get_server_certificate(("127.0.0.1", first.https_port))
    second = start_pool(start_xapid, keys, hosts=1)
    b = second.login().xenapi
    b_pool = b.pool.get_all()[0]
    url = "https://127.0.0.1:%d/repository/enabled" % first.https_port
    assert failure(b.Repository.introduce_remote_pool, "a", "", "https://a.example/repository/enabled", certificate) == [
        "INVALID_BASE_URL", "https://a.example/repository/enabled"]
    remote = b.Repository.introduce_remote_pool("pool A", "", url, certificate)
    b.pool.set_repositories(b_pool, [remote])
    assert failure(b.pool.sync_updates, b_pool, False, "", "", "root", "wrong") == ["REPOSYNC_FAILED"]
    assert b.pool.sync_updates(b_pool, False, "", "", "root", first.password) == NORMAL_1
    (entry,) = get_updates(second, second.login())["hosts"]
    assert entry["guidance"] == scenario("fresh-bundle-1")["updates_host_entry"]["guidance"]
    # Another certificate than A's is not trusted.
    other = start_pool(start_xapid, keys, hosts=1)
    wrong = ssl.get_server_certificate(("127.0.0.1", other.https_port))
    b.pool.set_repositories(b_pool, [])
    b.Repository.forget(remote)
    remote = b.Repository.introduce_remote_pool("pool A", "", url, wrong)
    b.pool.set_repositories(b_pool, [remote])
    assert failure(b.pool.sync_updates, b_pool, False, "", "", "root", first.password) == ["REPOSYNC_FAILED"]
