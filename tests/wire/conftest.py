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
        self.process = None
        self.log_path = os.path.join(data_dir, "xapid.log")

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [XAPID, "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data_dir,
             "--root-password", PASSWORD, "--login-failure-delay", "0.2"],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("xapid exited early:\n" + open(self.log_path).read())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
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
