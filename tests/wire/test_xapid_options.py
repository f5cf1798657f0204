"""xapid started with extra command-line options, several at once (the start_xapid factory)."""
import pytest
import XenAPI

from conftest import PASSWORD, new_network


def test_two_hosts_with_their_own_options_side_by_side(start_xapid):
    alpha = start_xapid("--hostname", "alpha", "--login-failure-delay", "0")
    beta = start_xapid("--hostname", "beta", "--root-password", "beta-password")
    assert len({alpha.port, alpha.https_port, beta.port, beta.https_port}) == 4
    assert alpha.data_dir != beta.data_dir
    assert (alpha.password, beta.password) == (PASSWORD, "beta-password")

    a, b = alpha.login(), beta.login()
    try:
        for x, name in ((a.xenapi, "alpha"), (b.xenapi, "beta")):
            (host,) = x.host.get_all()
            assert x.host.get_hostname(host) == name
            assert x.host.get_name_label(host) == name
        # Two pools with databases of their own.
        assert a.xenapi.pool.get_uuid(a.xenapi.pool.get_all()[0]) != b.xenapi.pool.get_uuid(b.xenapi.pool.get_all()[0])
        net = new_network(a.xenapi, "only-on-alpha")
        assert a.xenapi.network.get_by_name_label("only-on-alpha") == [net]
        assert b.xenapi.network.get_by_name_label("only-on-alpha") == []
    finally:
        a.xenapi.session.logout()
        b.xenapi.session.logout()

    # beta took the password it was given, not the default one.
    with pytest.raises(XenAPI.Failure) as failure:
        beta.login("root", PASSWORD, "2.21", "wire-tests")
    assert failure.value.details[0] == "SESSION_AUTHENTICATION_FAILED"


def test_https_off_and_options_the_handle_owns(start_xapid):
    plain = start_xapid("--https-listen", "off")
    assert plain.https_port is None and plain.https_url is None
    s = plain.login()
    assert len(s.xenapi.pool.get_all()) == 1
    s.xenapi.session.logout()
    for args in (("--listen", "127.0.0.1:1"), ("--data-dir=/tmp/elsewhere",), ("--https-listen", "127.0.0.1:1")):
        with pytest.raises(ValueError):
            start_xapid(*args)
