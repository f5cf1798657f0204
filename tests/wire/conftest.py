"""Starts real xapid processes on free loopback ports for the wire tests."""
import os
import socket
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
XAPID = os.environ.get("XAPID", os.path.join(ROOT, ".build", "debug", "xapid"))
PASSWORD = "wire-test-password"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Xapid:
    """One xapid process; can be stopped (gracefully or with SIGKILL) and started again on the same data."""

    def __init__(self, data_dir, port=None):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.https_port = free_port()
        self.https_url = f"https://127.0.0.1:{self.https_port}"
        self.process = None
        self.log_path = os.path.join(data_dir, "xapid.log")

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [XAPID, "--listen", f"127.0.0.1:{self.port}", "--https-listen", f"127.0.0.1:{self.https_port}",
             "--data-dir", self.data_dir,
             "--root-password", PASSWORD, "--login-failure-delay", "0.2"],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("xapid exited early:\n" + open(self.log_path).read())
            try:
                for port in (self.port, self.https_port):
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        pass
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("xapid did not start listening")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture(scope="session")
def server():
    with tempfile.TemporaryDirectory() as data_dir:
        xapid = Xapid(data_dir).start()
        yield xapid
        xapid.stop()


@pytest.fixture
def fresh_server():
    """A server of its own, for tests that restart or kill it."""
    with tempfile.TemporaryDirectory() as data_dir:
        xapid = Xapid(data_dir).start()
        yield xapid
        xapid.kill()


@pytest.fixture
def session(server):
    import XenAPI
    s = XenAPI.Session(server.url)
    s.xenapi.login_with_password("root", PASSWORD, "2.21", "wire-tests")
    yield s
    try:
        s.xenapi.session.logout()
    except Exception:
        pass


# ---------------------------------------------------------------- helpers shared by the wire tests

def login(url, *args):
    """A fresh SDK session logged in as root (4-argument form unless args are given)."""
    import XenAPI
    s = XenAPI.Session(url)
    s.xenapi.login_with_password(*(args or ("root", PASSWORD, "2.21", "wire-tests")))
    return s


def raw_post(server, path, body, content_type="text/xml", timeout=30):
    """POSTs bytes with http.client on a new connection; returns (status, headers dict lower-cased, body bytes)."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": content_type})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def xmlrpc_call(server, method, *params, path="/"):
    """One raw XML-RPC call (no SDK retry logic); returns the decoded envelope struct."""
    import xmlrpc.client
    body = xmlrpc.client.dumps(tuple(params), method, allow_none=True).encode()
    status, headers, data = raw_post(server, path, body)
    assert status == 200, (status, data[:500])
    (envelope,), _ = xmlrpc.client.loads(data)
    return envelope


def assert_server_alive(server):
    """A normal login and call still work."""
    s = login(server.url)
    try:
        pools = s.xenapi.pool.get_all()
        assert len(pools) == 1 and pools[0].startswith("OpaqueRef:")
    finally:
        s.xenapi.session.logout()


def new_network(x, label, description="", **extra):
    """network.create from the minimal record (the fields without a datamodel default)."""
    record = {"name_label": label, "name_description": description, "MTU": "1500", "other_config": {}}
    record.update(extra)
    return x.network.create(record)
