"""The walking skeleton: the real PyPI XenAPI SDK logs in and lists pools."""
import XenAPI

from conftest import PASSWORD


def test_login_with_four_arguments_and_pool_get_all(server):
    s = XenAPI.Session(server.url)
    s.xenapi.login_with_password("root", PASSWORD, "2.21", "wire-tests")
    pools = s.xenapi.pool.get_all()
    assert len(pools) == 1
    assert pools[0].startswith("OpaqueRef:")
    s.xenapi.session.logout()


def test_login_with_two_arguments(server):
    s = XenAPI.Session(server.url + "/")
    s.xenapi.login_with_password("root", PASSWORD)
    assert s.API_version == "2.21"
    s.xenapi.session.logout()
