"""The official Python SDK (PyPI xenapi 26.21.1) over XML-RPC against a real xapid."""
import re
import time
import uuid

import pytest
import XenAPI

from conftest import PASSWORD, login, new_network, xmlrpc_call


def unique(prefix="sdk"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# ---------------------------------------------------------------- login

@pytest.mark.parametrize("args", [
    ("root", PASSWORD),
    ("root", PASSWORD, "1.1"),
    ("root", PASSWORD, "2.21", "wire-tests"),
])
def test_login_with_two_three_and_four_arguments(server, args):
    s = XenAPI.Session(server.url)
    s.xenapi.login_with_password(*args)
    assert s.handle.startswith("OpaqueRef:") and s.handle != "OpaqueRef:NULL"
    handle = s.handle
    record = s.xenapi.session.get_record(handle)
    assert record["is_local_superuser"] is True
    assert record["this_host"] == s.xenapi.host.get_all()[0]
    assert len(s.xenapi.pool.get_all()) == 1
    s.xenapi.session.logout()
    # The logged-out ref is dead for everyone.
    assert xmlrpc_call(server, "pool.get_all", handle) == {
        "Status": "Failure", "ErrorDescription": ["SESSION_INVALID", handle]}


def test_login_via_session_object_and_urls_with_and_without_path(server):
    for url in (server.url, server.url + "/", server.url + "/RPC2"):
        s = XenAPI.Session(url)
        s.login_with_password("root", PASSWORD, "2.21", "wire-tests")
        assert s.xenapi.pool.get_all()[0].startswith("OpaqueRef:")
        s.logout()


# ---------------------------------------------------------------- pool, host, version

def test_pool_get_all_is_never_empty_and_has_a_master(session):
    x = session.xenapi
    pools = x.pool.get_all()
    assert len(pools) == 1
    master = x.pool.get_master(pools[0])
    assert master in x.host.get_all()
    assert x.pool.get_record(pools[0])["master"] == master


def test_api_version_is_2_21(session):
    assert session.API_version == "2.21"
    x = session.xenapi
    host = x.pool.get_master(x.pool.get_all()[0])
    assert x.host.get_API_version_major(host) == "2"
    assert x.host.get_API_version_minor(host) == "21"


def test_host_software_version(session):
    x = session.xenapi
    host = x.host.get_all()[0]
    sv = x.host.get_software_version(host)
    assert isinstance(sv, dict)
    assert sv["product_version"] == "8.4.0"
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in sv.items())


def test_control_domain_vm(session):
    x = session.xenapi
    dom0s = [v for v in x.VM.get_all_records().values() if v["is_control_domain"]]
    assert len(dom0s) == 1
    assert dom0s[0]["power_state"] == "Running"
    assert dom0s[0]["domid"] == "0"
    assert dom0s[0]["resident_on"] == x.host.get_all()[0]


def test_this_host_of_own_session(session):
    x = session.xenapi
    assert x.session.get_this_host(session.handle) == x.host.get_all()[0]


# ---------------------------------------------------------------- network create and defaults

def test_network_create_from_partial_record_fills_every_default(session):
    x = session.xenapi
    label = unique("net")
    ref = x.network.create({"name_label": label, "name_description": "partial", "MTU": "1500",
                            "other_config": {"a": "b"}})
    assert ref.startswith("OpaqueRef:") and ref != "OpaqueRef:NULL"
    rec = x.network.get_record(ref)
    uuid.UUID(rec["uuid"])
    expected = {
        "uuid": rec["uuid"],
        "name_label": label,
        "name_description": "partial",
        "allowed_operations": [],
        "current_operations": {},
        "VIFs": [],
        "PIFs": [],
        "MTU": "1500",
        "other_config": {"a": "b"},
        "bridge": rec["bridge"],
        "managed": True,
        "blobs": {},
        "tags": [],
        "default_locking_mode": "unlocked",
        "assigned_ips": {},
        "purpose": [],
    }
    assert rec == expected
    # Field getters agree with the record; int64 comes back as a string.
    assert x.network.get_uuid(ref) == rec["uuid"]
    assert x.network.get_name_label(ref) == label
    assert x.network.get_MTU(ref) == "1500"
    assert x.network.get_managed(ref) is True
    # xapi names the bridge of a network created without one: the first free xapiN.
    assert re.fullmatch(r"xapi[0-9]+", rec["bridge"])
    assert x.network.get_bridge(ref) == rec["bridge"]
    assert x.network.get_tags(ref) == []
    assert ref in x.network.get_all()
    assert x.network.get_all_records()[ref] == expected


def test_network_bridges_are_unique_and_callers_cannot_take_the_toolstacks_names(session):
    x = session.xenapi

    def create(bridge):
        return x.network.create({"name_label": unique(), "name_description": "", "MTU": "0",
                                 "other_config": {}, "bridge": bridge})

    first, second = create(""), create("")
    assert x.network.get_bridge(first) != x.network.get_bridge(second)
    assert x.network.get_MTU(first) == "1500"
    mine = "lab%d" % (int(time.time() * 1000) % 100000)
    ref = create(mine)
    assert x.network.get_bridge(ref) == mine
    count = len(x.network.get_all())
    for bridge, error in ((mine, ["BRIDGE_NAME_EXISTS", mine]), ("xenbr7", ["INVALID_VALUE", "bridge", "xenbr7"]),
                          ("vif1.0", ["INVALID_VALUE", "bridge", "vif1.0"]),
                          ("a-very-long-bridge", ["INVALID_VALUE", "bridge", "a-very-long-bridge"])):
        with pytest.raises(XenAPI.Failure) as failure:
            create(bridge)
        assert failure.value.details == error
    assert len(x.network.get_all()) == count


def test_network_create_accepts_int_mtu_and_ignores_unknown_keys(session):
    x = session.xenapi
    ref = x.network.create({"name_label": unique(), "name_description": "", "MTU": 9000,
                            "other_config": {}, "no_such_field": "ignored"})
    assert x.network.get_MTU(ref) == "9000"
    assert "no_such_field" not in x.network.get_record(ref)


# ---------------------------------------------------------------- lookups

def test_get_by_uuid_and_get_by_name_label(session):
    x = session.xenapi
    label = unique()
    a = new_network(x, label)
    b = new_network(x, label)
    other = new_network(x, label + "-other")
    assert x.network.get_by_uuid(x.network.get_uuid(a)) == a
    assert x.network.get_by_uuid(x.network.get_uuid(other)) == other
    found = x.network.get_by_name_label(label)
    assert isinstance(found, list)
    assert sorted(found) == sorted([a, b])           # exact match only: not the "-other" one
    assert x.network.get_by_name_label(unique("absent")) == []


def test_get_all_records_where_expressions(session):
    x = session.xenapi
    la, lb, lc = unique("wa"), unique("wb"), unique("wc")
    a = new_network(x, la, "desc-a")
    b = new_network(x, lb, "desc-b")
    c = new_network(x, lc, "desc-c")

    def where(expr):
        return x.network.get_all_records_where(expr)

    r = where(f'field "name__label"="{la}"')
    assert list(r) == [a]
    assert r[a]["name_label"] == la and r[a]["name_description"] == "desc-a"

    assert set(where(f'field "name__label"="{la}" or field "name__label"="{lb}"')) == {a, b}
    assert set(where(f'field "name__label"="{la}" and field "name__description"="desc-a"')) == {a}
    assert where(f'field "name__label"="{la}" and field "name__description"="desc-b"') == {}
    assert set(where(f'(field "name__label"="{lb}") and (field "uuid"="{x.network.get_uuid(b)}")')) == {b}

    negated = set(where(f'not (field "name__label"="{la}")'))
    assert a not in negated and {b, c} <= negated
    assert set(where(f'(field "name__label"="{la}" or field "name__label"="{lb}") and '
                     f'not (field "name__label"="{lb}")')) == {a}
    # `not` binds looser than and/or: not (a and desc-c) is true for every network.
    assert set(where(f'not field "name__label"="{la}" and field "name__description"="desc-c"')) == \
        set(x.network.get_all())
    # and/or have the same precedence and associate left: (a or b) and desc-c matches nothing.
    assert where(f'field "name__label"="{la}" or field "name__label"="{lb}" and '
                 f'field "name__description"="desc-c"') == {}

    everything = where("true")
    assert set(everything) == set(x.network.get_all())
    assert where("false") == {}

    assert sorted(x.network.get_all_where(f'field "name__label"="{lc}" or field "name__label"="{la}"')) == sorted([a, c])
    assert x.network.get_all_where(f'field "name__label"="{unique("none")}"') == []


# ---------------------------------------------------------------- setters, maps, sets, destroy

def test_setters_maps_and_sets(session):
    x = session.xenapi
    ref = new_network(x, unique())

    x.network.set_name_label(ref, "renamed é ü <&>")
    assert x.network.get_name_label(ref) == "renamed é ü <&>"
    x.network.set_name_description(ref, "new description")
    assert x.network.get_record(ref)["name_description"] == "new description"
    x.network.set_MTU(ref, "9000")
    assert x.network.get_MTU(ref) == "9000"

    x.network.add_to_other_config(ref, "k1", "v1")
    x.network.add_to_other_config(ref, "k2", "v2")
    assert x.network.get_other_config(ref) == {"k1": "v1", "k2": "v2"}
    x.network.remove_from_other_config(ref, "k1")
    assert x.network.get_other_config(ref) == {"k2": "v2"}
    x.network.remove_from_other_config(ref, "absent")            # no-op
    assert x.network.get_other_config(ref) == {"k2": "v2"}
    x.network.set_other_config(ref, {"only": "this"})
    assert x.network.get_other_config(ref) == {"only": "this"}

    x.network.add_tags(ref, "t1")
    x.network.add_tags(ref, "t2")
    x.network.add_tags(ref, "t1")                                  # already present: no-op
    assert sorted(x.network.get_tags(ref)) == ["t1", "t2"]
    x.network.remove_tags(ref, "t1")
    x.network.remove_tags(ref, "never-there")                      # absent: no-op
    assert x.network.get_tags(ref) == ["t2"]
    x.network.set_tags(ref, ["x", "y"])
    assert sorted(x.network.get_tags(ref)) == ["x", "y"]

    rec = x.network.get_record(ref)
    assert rec["name_label"] == "renamed é ü <&>"
    assert rec["other_config"] == {"only": "this"}
    assert sorted(rec["tags"]) == ["x", "y"]


def test_destroy(session):
    x = session.xenapi
    label = unique()
    ref = new_network(x, label)
    net_uuid = x.network.get_uuid(ref)
    assert x.network.destroy(ref) == ""
    assert ref not in x.network.get_all()
    assert x.network.get_by_name_label(label) == []
    with pytest.raises(XenAPI.Failure) as e:
        x.network.get_record(ref)
    assert e.value.details == ["HANDLE_INVALID", "network", ref]
    with pytest.raises(XenAPI.Failure) as e:
        x.network.get_by_uuid(net_uuid)
    assert e.value.details == ["UUID_INVALID", "network", net_uuid]


def test_class_underscore_method_aliases(session):
    x = session.xenapi
    label = unique()
    ref = new_network(x, label)
    assert x.network_get_record(ref)["name_label"] == label
    assert ref in x.network_get_all()
    x.network_set_name_label(ref, label + "-alias")
    assert x.network.get_name_label(ref) == label + "-alias"
    assert x.pool_get_all() == x.pool.get_all()
    result = x.event_from(["network"], "", 0.0)
    assert ref in {e["ref"] for e in result["events"]}


def test_sdk_relogs_in_after_session_invalid(session):
    x = session.xenapi
    session._session = "OpaqueRef:stale"
    pools = x.pool.get_all()                         # SESSION_INVALID → SDK logs in again and retries
    assert len(pools) == 1
    assert session._session != "OpaqueRef:stale"
    assert session._session.startswith("OpaqueRef:")
    assert x.session.get_this_host(session.handle) == x.host.get_all()[0]


def test_sdk_relogs_in_after_logout_behind_its_back(server):
    s = login(server.url)
    old = s.handle
    assert xmlrpc_call(server, "session.logout", old) == {"Status": "Success", "Value": ""}
    assert len(s.xenapi.pool.get_all()) == 1
    assert s.handle != old
    s.xenapi.session.logout()


def test_system_list_methods_is_a_bare_array(server):
    import xmlrpc.client
    methods = xmlrpc.client.ServerProxy(server.url + "/").system.listMethods()
    assert isinstance(methods, list)
    for name in ("session.login_with_password", "pool.get_all", "network.create", "network.get_record",
                 "event.from", "task.cancel"):
        assert name in methods, name
