"""HTTPS with the self-signed certificate made on first start, and a clean stop on SIGTERM."""
import hashlib
import os
import shutil
import signal
import ssl

import XenAPI

from conftest import PASSWORD


def certificate_fingerprint(server):
    pem = ssl.get_server_certificate(("127.0.0.1", server.https_port))
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()


def test_sdk_over_https_with_ignore_ssl(server):
    s = XenAPI.Session(server.https_url, ignore_ssl=True)
    s.xenapi.login_with_password("root", PASSWORD, "2.21", "tls-test")
    assert len(s.xenapi.pool.get_all()) == 1
    s.xenapi.session.logout()


def test_certificate_is_made_once_and_kept(fresh_server):
    pem_path = os.path.join(fresh_server.data_dir, "xapi-ssl.pem")
    assert os.path.exists(pem_path)
    assert oct(os.stat(pem_path).st_mode & 0o777) == "0o600"
    before = certificate_fingerprint(fresh_server)
    fresh_server.stop()
    fresh_server.start()
    assert certificate_fingerprint(fresh_server) == before


def test_sigterm_stops_cleanly_and_sigint_too(fresh_server):
    fresh_server.process.send_signal(signal.SIGTERM)
    assert fresh_server.process.wait(timeout=30) == 0
    assert "xapid: stopped" in open(fresh_server.log_path).read()
    fresh_server.start()
    fresh_server.process.send_signal(signal.SIGINT)
    assert fresh_server.process.wait(timeout=30) == 0


def test_password_hash_only_is_stored(fresh_server):
    stored = open(os.path.join(fresh_server.data_dir, "root-password.hash")).read()
    assert stored.startswith("pbkdf2-sha256$")
    assert PASSWORD not in stored
    for name in os.listdir(fresh_server.data_dir):
        path = os.path.join(fresh_server.data_dir, name)
        if os.path.isfile(path) and name != "xapid.log":
            assert PASSWORD.encode() not in open(path, "rb").read(), name


def test_local_socket_is_pre_authenticated(tmp_path):
    """XenAPI.xapi_local()-style access: any credentials log in as the local superuser."""
    import subprocess
    import time
    from conftest import XAPID, free_port

    folder = f"/tmp/xapisock{os.getpid()}"
    os.makedirs(folder, exist_ok=True)
    socket_path = folder + "/xapi"
    log = open(tmp_path / "xapid.log", "wb")
    process = subprocess.Popen(
        [XAPID, "--listen", f"127.0.0.1:{free_port()}", "--https-listen", "off", "--unix-socket", socket_path,
         "--data-dir", str(tmp_path), "--root-password", PASSWORD], stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(600):
            if os.path.exists(socket_path):
                break
            time.sleep(0.05)
        assert oct(os.stat(socket_path).st_mode & 0o777) == "0o600"
        s = XenAPI.Session("http://" + socket_path.replace("/", "_") + "/", transport=XenAPI.UDSTransport())
        s.xenapi.login_with_password("", "")
        record = s.xenapi.session.get_record(s.handle)
        assert record["is_local_superuser"] is True
        assert len(s.xenapi.pool.get_all()) == 1
        s.xenapi.session.logout()
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
