"""Every error the server promises, with its exact code and argument list; and hostile input over raw HTTP."""
import json
import time
import uuid
import xmlrpc.client

import pytest
import XenAPI

from conftest import PASSWORD, assert_server_alive, new_network, raw_post, xmlrpc_call

BAD_REF = "OpaqueRef:00000000-dead-beef-0000-000000000000"


def failure(call, *args):
    """Runs an SDK call that must fail; returns Failure.details."""
    with pytest.raises(XenAPI.Failure) as e:
        call(*args)
    return e.value.details


def unique(prefix="err"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def net(session):
    return new_network(session.xenapi, unique("errnet"))


@pytest.fixture
def dom0(session):
    return next(r for r, v in session.xenapi.VM.get_all_records().items() if v["is_control_domain"])


# ---------------------------------------------------------------- dispatch

def test_message_method_unknown(server, session):
    x = session.xenapi
    assert failure(x.nosuch.method) == ["MESSAGE_METHOD_UNKNOWN", "nosuch.method"]
    assert failure(x.network.no_such_message, "a") == ["MESSAGE_METHOD_UNKNOWN", "network.no_such_message"]
    # With no parameter at all, straight to MESSAGE_METHOD_UNKNOWN.
    assert xmlrpc_call(server, "nosuch.method") == {
        "Status": "Failure", "ErrorDescription": ["MESSAGE_METHOD_UNKNOWN", "nosuch.method"]}


def test_unknown_method_with_a_bad_session_is_session_invalid(server):
    assert xmlrpc_call(server, "nosuch.method", BAD_REF) == {
        "Status": "Failure", "ErrorDescription": ["SESSION_INVALID", BAD_REF]}


def test_parameter_count_mismatch(session, net):
    x = session.xenapi
    assert failure(x.network.get_record) == ["MESSAGE_PARAMETER_COUNT_MISMATCH", "network.get_record", "1", "0"]
    assert failure(x.network.get_record, net, "extra") == [
        "MESSAGE_PARAMETER_COUNT_MISMATCH", "network.get_record", "1", "2"]
    assert failure(x.network.set_name_label, net) == [
        "MESSAGE_PARAMETER_COUNT_MISMATCH", "network.set_name_label", "2", "1"]
    assert failure(x.pool.get_all, "extra") == ["MESSAGE_PARAMETER_COUNT_MISMATCH", "pool.get_all", "0", "1"]
    # The reported method name drops the Async. prefix.
    assert failure(x.Async.network.create) == ["MESSAGE_PARAMETER_COUNT_MISMATCH", "network.create", "1", "0"]
    assert failure(x.Async.network.destroy, net, net) == [
        "MESSAGE_PARAMETER_COUNT_MISMATCH", "network.destroy", "1", "2"]


def test_parameter_count_is_checked_before_the_session(server):
    assert xmlrpc_call(server, "network.get_record", BAD_REF) == {
        "Status": "Failure",
        "ErrorDescription": ["MESSAGE_PARAMETER_COUNT_MISMATCH", "network.get_record", "1", "0"]}
    assert xmlrpc_call(server, "network.get_record", BAD_REF, "a", "b") == {
        "Status": "Failure",
        "ErrorDescription": ["MESSAGE_PARAMETER_COUNT_MISMATCH", "network.get_record", "1", "2"]}


def test_login_parameter_count(server):
    for args in (("root",), ("root", PASSWORD, "1.1", "orig", "extra")):
        env = xmlrpc_call(server, "session.login_with_password", *args)
        assert env["Status"] == "Failure"
        # As xapi's dispatcher does, the expected count is that of the mandatory parameters
        # (uname and pwd; version and originator have defaults).
        assert env["ErrorDescription"] == [
            "MESSAGE_PARAMETER_COUNT_MISMATCH", "session.login_with_password", "2", str(len(args))]


def test_async_of_a_sync_only_message_is_fault(session, net):
    x = session.xenapi
    assert failure(x.Async.VM.get_record, net) == ["Fault", "No async mode for this operation (rpc: VM.get_record)"]
    assert failure(x.Async.network.get_record, net) == [
        "Fault", "No async mode for this operation (rpc: network.get_record)"]


# ---------------------------------------------------------------- sessions

def test_session_invalid(server):
    for ref in (BAD_REF, "OpaqueRef:NULL", "not-a-ref", ""):
        assert xmlrpc_call(server, "pool.get_all", ref) == {
            "Status": "Failure", "ErrorDescription": ["SESSION_INVALID", ref]}


def test_session_invalid_after_logout(server):
    env = xmlrpc_call(server, "session.login_with_password", "root", PASSWORD)
    ref = env["Value"]
    assert xmlrpc_call(server, "pool.get_all", ref)["Status"] == "Success"
    assert xmlrpc_call(server, "session.logout", ref) == {"Status": "Success", "Value": ""}
    assert xmlrpc_call(server, "pool.get_all", ref) == {
        "Status": "Failure", "ErrorDescription": ["SESSION_INVALID", ref]}


@pytest.mark.parametrize("user,password", [("root", "wrong"), ("nobody", PASSWORD), ("root", "")])
def test_session_authentication_failed(server, user, password):
    s = XenAPI.Session(server.url)
    started = time.monotonic()
    with pytest.raises(XenAPI.Failure) as e:
        s.xenapi.login_with_password(user, password, "2.21", "wire-tests")
    elapsed = time.monotonic() - started
    assert e.value.details == ["SESSION_AUTHENTICATION_FAILED", user, "Authentication failure"]
    assert 0.15 <= elapsed < 5
    assert_server_alive(server)


def test_session_not_registered(session):
    details = failure(session.xenapi.event.next)
    assert details[0] == "SESSION_NOT_REGISTERED"
    assert len(details) == 2 and details[1] != ""


# ---------------------------------------------------------------- objects

def test_handle_invalid(session, net, dom0):
    x = session.xenapi
    assert failure(x.VM.get_record, BAD_REF) == ["HANDLE_INVALID", "VM", BAD_REF]
    assert failure(x.network.get_record, BAD_REF) == ["HANDLE_INVALID", "network", BAD_REF]
    assert failure(x.task.get_status, BAD_REF) == ["HANDLE_INVALID", "task", BAD_REF]
    assert failure(x.host.get_record, "OpaqueRef:NULL") == ["HANDLE_INVALID", "host", "OpaqueRef:NULL"]
    assert failure(x.network.set_name_label, "garbage", "x") == ["HANDLE_INVALID", "network", "garbage"]
    assert failure(x.network.destroy, BAD_REF) == ["HANDLE_INVALID", "network", BAD_REF]
    assert failure(x.event.inject, "network", BAD_REF) == ["HANDLE_INVALID", "network", BAD_REF]
    # A ref of another class is just as invalid.
    assert failure(x.network.get_record, dom0) == ["HANDLE_INVALID", "network", dom0]
    assert failure(x.VM.get_name_label, net) == ["HANDLE_INVALID", "VM", net]


def test_uuid_invalid(session):
    x = session.xenapi
    missing = str(uuid.uuid4())
    assert failure(x.network.get_by_uuid, missing) == ["UUID_INVALID", "network", missing]
    assert failure(x.VM.get_by_uuid, "not-a-uuid") == ["UUID_INVALID", "VM", "not-a-uuid"]
    assert failure(x.task.get_by_uuid, missing) == ["UUID_INVALID", "task", missing]


def test_field_type_error(session, net):
    x = session.xenapi
    assert failure(x.network.set_name_label, net, True) == ["FIELD_TYPE_ERROR", "name_label"]
    assert failure(x.network.set_MTU, net, "abc") == ["FIELD_TYPE_ERROR", "MTU"]
    assert failure(x.network.set_MTU, net, True) == ["FIELD_TYPE_ERROR", "MTU"]
    assert x.network.get_name_label(net).startswith("errnet-")
    assert x.network.get_MTU(net) == "1500"


def test_invalid_enum_value(session):
    x = session.xenapi
    task = x.task.create("enum-test", "")
    try:
        assert failure(x.task.set_status, task, "bogus") == ["INVALID_VALUE", "value", "bogus"]
        assert x.task.get_status(task) == "pending"
        x.task.set_status(task, "Success")                 # enums are case-insensitive on input
        assert x.task.get_status(task) == "success"
    finally:
        x.task.destroy(task)


def test_invalid_enum_value_in_constructor(session, dom0):
    x = session.xenapi
    record = {"VM": dom0, "VDI": "OpaqueRef:NULL", "userdevice": "3", "bootable": False, "mode": "bogus",
              "type": "CD", "empty": True, "other_config": {}, "qos_algorithm_type": "",
              "qos_algorithm_params": {}}
    before = x.VBD.get_all()
    assert failure(x.VBD.create, record) == ["INVALID_VALUE", "mode", "bogus"]
    assert x.VBD.get_all() == before


def test_map_duplicate_key(session, net):
    x = session.xenapi
    x.network.add_to_other_config(net, "dup", "first")
    assert failure(x.network.add_to_other_config, net, "dup", "second") == [
        "MAP_DUPLICATE_KEY", "network", "other_config", net, "dup"]
    assert x.network.get_other_config(net) == {"dup": "first"}


def test_invalid_filter_expression(session):
    x = session.xenapi
    for expr in ('field "name__label', 'field "name__label"=', 'field "a"="b" and', "(true", "nonsense"):
        details = failure(x.network.get_all_records_where, expr)
        assert details[:2] == ["INVALID_VALUE", expr], details
        assert len(details) == 3 and details[2]
    details = failure(x.network.get_all_where, "((")
    assert details[:2] == ["INVALID_VALUE", "(("] and len(details) == 3


def test_event_from_token_parse_failure(session):
    x = session.xenapi
    for token in ("bad", "12", "1,2,3", "x,y"):
        assert failure(x.event_from, ["*"], token, 0.0) == ["EVENT_FROM_TOKEN_PARSE_FAILURE", token]


def test_event_subscription_parse_failure(session):
    x = session.xenapi
    for sub in ("", "/OpaqueRef:x", "network/"):
        assert failure(x.event_from, [sub], "", 0.0) == ["EVENT_SUBSCRIPTION_PARSE_FAILURE", sub]
    assert failure(x.event.register, ["/x"]) == ["EVENT_SUBSCRIPTION_PARSE_FAILURE", "/x"]


def test_create_with_required_field_missing_is_internal_error(session):
    x = session.xenapi
    label = unique("missing")
    details = failure(x.network.create, {"name_label": label, "name_description": "", "MTU": "1500"})
    assert details[0] == "INTERNAL_ERROR" and len(details) == 2
    assert "Dispatcher_FieldNotFound" in details[1] and "other_config" in details[1]
    assert x.network.get_by_name_label(label) == []


# ---------------------------------------------------------------- raw HTTP: hostile and broken input

def test_raw_failure_envelope_shape(server):
    status, headers, body = raw_post(
        server, "/", b"<?xml version='1.0'?><methodCall><methodName>pool.get_all</methodName><params>"
                     b"<param><value><string>" + BAD_REF.encode() + b"</string></value></param>"
                     b"</params></methodCall>")
    assert status == 200
    assert headers["content-type"].startswith("text/xml")
    assert b"<fault>" not in body
    (env,), method = xmlrpc.client.loads(body)
    assert env == {"Status": "Failure", "ErrorDescription": ["SESSION_INVALID", BAD_REF]}


def expect_html_500(status, headers, body):
    assert status == 500, (status, body[:300])
    assert headers.get("content-type", "").startswith("text/html")
    assert b"<html" in body.lower()


@pytest.mark.parametrize("body", [
    b"<methodCall><methodName>pool.get_all",
    b"this is not xml",
    b"",
    b"<methodCall><methodName>pool.get_all</methodName></methodCall>",           # <params> is mandatory
    b"<methodCall><methodName>pool.get_all</methodName><params><param><value><struct>"
    b"<member><name>a</name></member></struct></value></param></params></methodCall>",
    b"<methodCall><methodName>&nosuchentity;</methodName><params/></methodCall>",
], ids=["truncated", "text", "empty", "no-params", "bad-struct", "unknown-entity"])
def test_malformed_xml_is_http_500_and_server_keeps_serving(server, body):
    expect_html_500(*raw_post(server, "/", body))
    expect_html_500(*raw_post(server, "/RPC2", body))
    assert_server_alive(server)


def test_billion_laughs_is_rejected_quickly(server):
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    body = ('<?xml version="1.0"?><!DOCTYPE lolz [' + "".join(entities) + ']>'
            '<methodCall><methodName>session.login_with_password</methodName><params>'
            '<param><value>&lol9;</value></param><param><value>x</value></param>'
            '</params></methodCall>').encode()
    started = time.monotonic()
    expect_html_500(*raw_post(server, "/", body))
    assert time.monotonic() - started < 5
    # A DOCTYPE with a harmless internal entity is refused as well.
    small = (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY n "pool.get_all">]>'
             b'<methodCall><methodName>&n;</methodName><params/></methodCall>')
    expect_html_500(*raw_post(server, "/", small))
    assert_server_alive(server)


def test_body_over_300_kib_is_413(server):
    prefix = b"<methodCall><methodName>pool.get_all</methodName><params><param><value>OpaqueRef:"
    suffix = b"</value></param></params></methodCall>"
    big = prefix + b"a" * (307200 + 1 - len(prefix) - len(suffix)) + suffix
    assert len(big) == 307201
    status, _, _ = raw_post(server, "/", big)
    assert status == 413
    status, _, _ = raw_post(server, "/jsonrpc", b'{"method":"x","params":["' + b"a" * 400000 + b'"],"id":1}',
                            "application/json")
    assert status == 413
    assert_server_alive(server)


def test_body_of_exactly_300_kib_is_served(server):
    prefix = b"<methodCall><methodName>pool.get_all</methodName><params><param><value>"
    suffix = b"</value></param></params></methodCall>"
    ref = b"OpaqueRef:" + b"a" * (307200 - len(prefix) - len(suffix) - len(b"OpaqueRef:"))
    body = prefix + ref + suffix
    assert len(body) == 307200
    status, _, data = raw_post(server, "/", body)
    assert status == 200
    (env,), _ = xmlrpc.client.loads(data)
    assert env == {"Status": "Failure", "ErrorDescription": ["SESSION_INVALID", ref.decode()]}


@pytest.mark.parametrize("body", [
    b'{"method": "pool.get_all", ',
    b"not json",
    b"[1, 2",
    b'{"method": "session.login_with_password", "params": ["root", "x"]}',              # no id
    b'{"method": "session.login_with_password", "params": ["root", "x"], "id": null}',  # null id
], ids=["truncated", "text", "array", "no-id", "null-id"])
def test_malformed_json_is_http_500_and_server_keeps_serving(server, body):
    expect_html_500(*raw_post(server, "/jsonrpc", body, "application/json"))
    assert_server_alive(server)


def test_wrong_types_over_raw_xmlrpc(server, session, net):
    handle = session.handle
    for value, field in (("<boolean>1</boolean>", "name_label"), ("<int>5</int>", "name_label")):
        body = (f"<methodCall><methodName>network.set_name_label</methodName><params>"
                f"<param><value>{handle}</value></param><param><value>{net}</value></param>"
                f"<param><value>{value}</value></param></params></methodCall>").encode()
        status, _, data = raw_post(server, "/", body)
        assert status == 200
        (env,), _ = xmlrpc.client.loads(data)
        assert env == {"Status": "Failure", "ErrorDescription": ["FIELD_TYPE_ERROR", field]}
    body = (f"<methodCall><methodName>network.set_MTU</methodName><params>"
            f"<param><value>{handle}</value></param><param><value>{net}</value></param>"
            f"<param><value><string>abc</string></value></param></params></methodCall>").encode()
    (env,), _ = xmlrpc.client.loads(raw_post(server, "/", body)[2])
    assert env == {"Status": "Failure", "ErrorDescription": ["FIELD_TYPE_ERROR", "MTU"]}
    assert session.xenapi.network.get_name_label(net).startswith("errnet-")
    assert_server_alive(server)


def test_wrong_types_over_raw_jsonrpc(server, session, net):
    handle = session.handle
    req = {"jsonrpc": "2.0", "method": "network.set_name_label", "params": [handle, net, False], "id": 5}
    status, _, data = raw_post(server, "/jsonrpc", json.dumps(req).encode(), "application/json")
    assert status == 200
    assert json.loads(data) == {"jsonrpc": "2.0", "error": {"code": 1, "message": "FIELD_TYPE_ERROR",
                                                            "data": ["name_label"]}, "id": 5}
    assert_server_alive(server)


def test_unknown_ref_over_raw_http(server, session):
    handle = session.handle
    env = xmlrpc_call(server, "network.get_record", handle, BAD_REF)
    assert env == {"Status": "Failure", "ErrorDescription": ["HANDLE_INVALID", "network", BAD_REF]}
    req = {"method": "VM.get_record", "params": [handle, BAD_REF], "id": "r"}
    status, _, data = raw_post(server, "/jsonrpc", json.dumps(req).encode(), "application/json")
    assert status == 200
    assert json.loads(data) == {"result": None, "error": ["HANDLE_INVALID", "VM", BAD_REF], "id": "r"}
    assert_server_alive(server)


def test_invalid_utf8_in_a_parameter_is_invalid_value(server):
    body = (b"<?xml version='1.0'?><methodCall><methodName>session.login_with_password</methodName><params>"
            b"<param><value><string>root\xc3\x28</string></value></param><param><value>x</value></param>"
            b"</params></methodCall>")
    status, headers, payload = raw_post(server, "/RPC2", body)
    assert status == 200
    (env,), _ = xmlrpc.client.loads(payload)
    assert env["Status"] == "Failure"
    assert env["ErrorDescription"][:2] == ["INVALID_VALUE", "Invalid UTF-8 string in parameter"]
    assert env["ErrorDescription"][2] == "root\ufffd("
    assert_server_alive(server)
