"""HTTPS with the self-signed certificate made on first start, and a clean stop on SIGTERM."""
import hashlib
import os
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
