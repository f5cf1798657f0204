"""Starts real xapid processes on free loopback ports for the wire tests.

Fixtures:
  server        one xapid shared by the whole session (default options)
  session       an SDK session on `server`, logged in as root
  fresh_server  an xapid of the test's own, killed at teardown (for tests that restart or kill it)
  start_xapid   a factory: start_xapid(*extra_args, **kw) starts one more xapid and returns its handle;
                every one it started is stopped (and its temporary data folder removed) at teardown.
                Several may run at once, each on its own ports and data folder:

                    alpha = start_xapid("--hostname", "alpha", "--login-failure-delay", "0")
                    beta = start_xapid("--hostname", "beta", "--https-listen", "off")
                    s = alpha.login()            # SDK session as root, with alpha's password
                    ... beta.url, beta.port, beta.data_dir, beta.password, beta.log_path ...
"""
import os
import socket
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
XAPID = os.environ.get("XAPID", os.path.join(ROOT, ".build", "debug", "xapid"))
PASSWORD = "wire-test-password"

# Options every handle passes unless its extra arguments give them (then the extra ones win).
DEFAULT_OPTIONS = {"--root-password": PASSWORD, "--login-failure-delay": "0.2"}
# Options the handle owns: it picks the ports and the data folder itself (see Xapid.__init__).
MANAGED_OPTIONS = ("--listen", "--https-listen", "--data-dir")

_ports_handed_out = set()


def free_port():
    """A loopback port free right now, never one this test run has handed out before."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _ports_handed_out:
            _ports_handed_out.add(port)
            return port


def option_value(args, name):
    """The value of option `name` in an argument list (`--name value` or `--name=value`), else None."""
    for i, arg in enumerate(args):
        if arg == name:
            return args[i + 1] if i + 1 < len(args) else None
        if arg.startswith(name + "="):
            return arg[len(name) + 1:]
    return None


def has_option(args, name):
    return any(arg == name or arg.startswith(name + "=") for arg in args)


class Xapid:
    """One xapid process; can be stopped (gracefully or with SIGKILL) and started again on the same data.

    `args` are extra command-line options, appended after the ones the handle always passes
    (--listen, --https-listen, --data-dir) and DEFAULT_OPTIONS (which they override). The ports and the
    data folder belong to the handle: pass `port=`/`data_dir=` instead of --listen/--data-dir; the only
    --https-listen accepted in `args` is `off` (then https_port and https_url are None).
    `args` may be changed between stop() and start() to restart with other options (--https-listen
    is read once, here).
    """

    def __init__(self, data_dir, port=None, args=()):
        self.data_dir = data_dir
        self.args = [str(a) for a in args]
        for name in MANAGED_OPTIONS:
            value = option_value(self.args, name)
            if has_option(self.args, name) and not (name == "--https-listen" and value == "off"):
                raise ValueError(f"{name} is chosen by the handle; use port=/data_dir=, or '--https-listen off'")
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if option_value(self.args, "--https-listen") == "off":
            self.https_port = self.https_url = None
        else:
            self.https_port = free_port()
            self.https_url = f"https://127.0.0.1:{self.https_port}"
        self.process = None
        self.log_path = os.path.join(data_dir, "xapid.log")
        self.teardown = "stop"  # what XapidFactory.close() does to it: "stop" or "kill"

    @property
    def password(self):
        """root's password as given on the command line."""
        return option_value(self.args, "--root-password") or DEFAULT_OPTIONS["--root-password"]

    def command(self):
        command = [XAPID, "--listen", f"127.0.0.1:{self.port}"]
        if self.https_port is not None:
            command += ["--https-listen", f"127.0.0.1:{self.https_port}"]
        command += ["--data-dir", self.data_dir]
        for name, value in DEFAULT_OPTIONS.items():
            if not has_option(self.args, name):
                command += [name, value]
        return command + self.args

    def start(self):
        os.makedirs(self.data_dir, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT)
        ports = [p for p in (self.port, self.https_port) if p is not None]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("xapid exited early:\n" + open(self.log_path).read())
            try:
                for port in ports:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        pass
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("xapid did not start listening")

    def stop(self):
        """SIGTERM and wait (SIGKILL if it has not stopped within 30 s, and raise)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
                raise

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def login(self, *args):
        """A fresh SDK session on this server, as root with its password unless args are given."""
        return login(self.url, *(args or ("root", self.password, "2.21", "wire-tests")))


class XapidFactory:
    """Starts xapid processes on demand (call it); close() stops them all and removes their data folders."""

    def __init__(self):
        self.instances = []
        self._folders = []

    def __call__(self, *args, data_dir=None, port=None, start=True, teardown="stop"):
        """A new handle, started unless start=False. Without data_dir it gets a temporary folder of its
        own. teardown is "stop" (SIGTERM, and wait) or "kill" (SIGKILL)."""
        if teardown not in ("stop", "kill"):
            raise ValueError("teardown is 'stop' or 'kill'")
        if data_dir is None:
            folder = tempfile.TemporaryDirectory(prefix="xapid-")
            self._folders.append(folder)
            data_dir = folder.name
        xapid = Xapid(data_dir, port=port, args=args)
        xapid.teardown = teardown
        self.instances.append(xapid)    # before start(): one that fails to come up is still cleaned up
        return xapid.start() if start else xapid

    def close(self):
        errors = []
        for xapid in reversed(self.instances):
            try:
                if xapid.teardown == "kill":
                    xapid.kill()
                else:
                    xapid.stop()
            except Exception as error:  # keep cleaning up the others
                errors.append(error)
                xapid.kill()
        self.instances.clear()
        for folder in self._folders:
            folder.cleanup()
        self._folders.clear()
        if errors:
            raise errors[0]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@pytest.fixture(scope="session")
def server():
    with XapidFactory() as start_xapid:
        yield start_xapid()


@pytest.fixture
def start_xapid():
    """start_xapid(*extra_args, data_dir=None, port=None, start=True, teardown="stop") -> Xapid."""
    with XapidFactory() as factory:
        yield factory


@pytest.fixture
def fresh_server(start_xapid):
    """A server of its own, for tests that restart or kill it."""
    return start_xapid(teardown="kill")


@pytest.fixture
def session(server):
    s = server.login()
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
