"""Raw JSON-RPC v1 and v2 on POST /jsonrpc with http.client."""
import http.client
import json
import uuid

import pytest

from conftest import PASSWORD, login, raw_post, xmlrpc_call

BAD_REF = "OpaqueRef:11111111-2222-3333-4444-555555555555"


class JsonRpc:
    """One keep-alive connection to /jsonrpc."""

    def __init__(self, server, version=2):
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        self.version = version
        self.next_id = 0

    def raw(self, request):
        body = json.dumps(request).encode()
        self.conn.request("POST", "/jsonrpc", body=body, headers={"Content-Type": "application/json"})
        resp = self.conn.getresponse()
        data = resp.read()
        assert resp.status == 200, (resp.status, data[:300])
        assert resp.getheader("Content-Type", "").split(";")[0].strip() == "application/json"
        return json.loads(data)          # dicts keep the key order, so the envelope shape can be checked

    def call(self, method, *params, id=None):
        if id is None:
            self.next_id += 1
            id = self.next_id
        request = {"method": method, "params": list(params), "id": id}
        if self.version == 2:
            request["jsonrpc"] = "2.0"
        return self.raw(request)

    def ok(self, method, *params):
        reply = self.call(method, *params)
        if self.version == 2:
            assert "error" not in reply, reply
        else:
            assert reply["error"] is None, reply
        return reply["result"]

    def login(self):
        return self.ok("session.login_with_password", "root", PASSWORD, "2.21", "jsonrpc-tests")

    def close(self):
        self.conn.close()


@pytest.fixture(params=[1, 2], ids=["v1", "v2"])
def rpc(server, request):
    client = JsonRpc(server, request.param)
    yield client
    client.close()


# ---------------------------------------------------------------- login and ids

@pytest.mark.parametrize("request_id", ["abc-" + uuid.uuid4().hex, 42, 0], ids=["str", "int", "zero"])
def test_v1_login_echoes_id(server, request_id):
    c = JsonRpc(server, 1)
    reply = c.call("session.login_with_password", "root", PASSWORD, "2.21", "jsonrpc", id=request_id)
    assert list(reply) == ["result", "error", "id"]
    assert reply["error"] is None
    assert reply["id"] == request_id and type(reply["id"]) is type(request_id)
    assert reply["result"].startswith("OpaqueRef:")
    c.ok("session.logout", reply["result"])
    c.close()


@pytest.mark.parametrize("request_id", ["id-" + uuid.uuid4().hex, 7], ids=["str", "int"])
def test_v2_login_echoes_id(server, request_id):
    c = JsonRpc(server, 2)
    reply = c.call("session.login_with_password", "root", PASSWORD, id=request_id)
    assert list(reply) == ["jsonrpc", "result", "id"]
    assert reply["jsonrpc"] == "2.0"
    assert reply["id"] == request_id and type(reply["id"]) is type(request_id)
    assert reply["result"].startswith("OpaqueRef:")
    c.ok("session.logout", reply["result"])
    c.close()


def test_login_with_three_arguments(rpc):
    ref = rpc.ok("session.login_with_password", "root", PASSWORD, "1.0")
    assert ref.startswith("OpaqueRef:")
    rpc.ok("session.logout", ref)


# ---------------------------------------------------------------- values

def test_pool_get_all_and_record(rpc):
    s = rpc.login()
    pools = rpc.ok("pool.get_all", s)
    assert isinstance(pools, list) and len(pools) == 1 and pools[0].startswith("OpaqueRef:")
    master = rpc.ok("pool.get_master", s, pools[0])
    assert master in rpc.ok("host.get_all", s)
    assert rpc.ok("host.get_API_version_major", s, master) == 2
    assert rpc.ok("host.get_API_version_minor", s, master) == 21
    assert rpc.ok("host.get_software_version", s, master)["product_version"] == "8.4.0"
    rpc.ok("session.logout", s)


def test_int_fields_are_json_numbers(rpc):
    s = rpc.login()
    metrics = rpc.ok("host_metrics.get_all_records", s)
    assert len(metrics) == 1
    (record,) = metrics.values()
    total = record["memory_total"]
    assert type(total) is int and total > 0
    assert type(record["live"]) is bool

    net = rpc.ok("network.create", s, {"name_label": "json-" + uuid.uuid4().hex, "name_description": "",
                                       "MTU": 1500, "other_config": {}})
    assert rpc.ok("network.get_MTU", s, net) == 1500
    assert rpc.ok("network.get_record", s, net)["MTU"] == 1500
    # Ints in params may be numbers or decimal strings.
    rpc.ok("network.set_MTU", s, net, 9000)
    assert rpc.ok("network.get_MTU", s, net) == 9000
    rpc.ok("network.set_MTU", s, net, "1400")
    assert rpc.ok("network.get_MTU", s, net) == 1400
    assert rpc.ok("network.get_managed", s, net) is True
    assert rpc.ok("network.get_tags", s, net) == []
    assert rpc.ok("network.get_other_config", s, net) == {}
    rpc.ok("network.destroy", s, net)
    rpc.ok("session.logout", s)


def test_control_domain_domid_is_a_number(rpc):
    s = rpc.login()
    vms = rpc.ok("VM.get_all_records", s)
    dom0 = [v for v in vms.values() if v["is_control_domain"]]
    assert len(dom0) == 1
    assert dom0[0]["domid"] == 0 and type(dom0[0]["domid"]) is int
    assert dom0[0]["power_state"] == "Running"
    rpc.ok("session.logout", s)


def test_void_result_is_empty_string(rpc):
    s = rpc.login()
    net = rpc.ok("network.create", s, {"name_label": "void", "name_description": "", "MTU": 1500,
                                       "other_config": {}})
    assert rpc.ok("network.set_name_label", s, net, "void2") == ""
    assert rpc.ok("network.destroy", s, net) == ""
    rpc.ok("session.logout", s)


# ---------------------------------------------------------------- failures

def test_v1_failure_shape(server):
    c = JsonRpc(server, 1)
    reply = c.call("pool.get_all", BAD_REF, id="v1-fail")
    assert reply == {"result": None, "error": ["SESSION_INVALID", BAD_REF], "id": "v1-fail"}
    assert list(reply) == ["result", "error", "id"]

    s = c.login()
    reply = c.call("network.get_record", s, BAD_REF, id=99)
    assert reply == {"result": None, "error": ["HANDLE_INVALID", "network", BAD_REF], "id": 99}
    reply = c.call("nosuch.method", id=3)
    assert reply == {"result": None, "error": ["MESSAGE_METHOD_UNKNOWN", "nosuch.method"], "id": 3}
    reply = c.call("network.get_record", s, id=4)
    assert reply == {"result": None, "error": ["MESSAGE_PARAMETER_COUNT_MISMATCH", "network.get_record", "1", "0"],
                     "id": 4}
    reply = c.call("session.login_with_password", "root", "wrong", id=5)
    assert reply == {"result": None, "error": ["SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"],
                     "id": 5}
    c.ok("session.logout", s)
    c.close()


def test_v2_failure_shape(server):
    c = JsonRpc(server, 2)
    reply = c.call("pool.get_all", BAD_REF, id=12)
    assert reply == {"jsonrpc": "2.0", "error": {"code": 1, "message": "SESSION_INVALID", "data": [BAD_REF]},
                     "id": 12}
    assert list(reply) == ["jsonrpc", "error", "id"]
    assert list(reply["error"]) == ["code", "message", "data"]

    s = c.login()
    reply = c.call("VM.get_record", s, BAD_REF, id="x")
    assert reply == {"jsonrpc": "2.0", "error": {"code": 1, "message": "HANDLE_INVALID", "data": ["VM", BAD_REF]},
                     "id": "x"}
    reply = c.call("Async.VM.get_record", s, BAD_REF, id="y")
    assert reply == {"jsonrpc": "2.0", "error": {"code": 1, "message": "Fault",
                                                 "data": ["No async mode for this operation (rpc: VM.get_record)"]},
                     "id": "y"}
    reply = c.call("network.get_by_uuid", s, "nope", id=13)
    assert reply == {"jsonrpc": "2.0", "error": {"code": 1, "message": "UUID_INVALID", "data": ["network", "nope"]},
                     "id": 13}
    c.ok("session.logout", s)
    c.close()


def test_v2_params_absent_means_no_params(server):
    c = JsonRpc(server, 2)
    reply = c.raw({"jsonrpc": "2.0", "method": "pool.get_all", "id": 1})
    assert reply["error"]["message"] == "MESSAGE_PARAMETER_COUNT_MISMATCH"
    assert reply["error"]["data"][:2] == ["pool.get_all", "0"] and reply["id"] == 1
    reply = c.raw({"jsonrpc": "2.0", "method": "pool.get_all", "params": None, "id": 3})
    assert reply["error"]["message"] == "MESSAGE_PARAMETER_COUNT_MISMATCH"
    reply = c.raw({"jsonrpc": "2.0", "method": "nosuch.method", "id": 2})
    assert reply == {"jsonrpc": "2.0", "error": {"code": 1, "message": "MESSAGE_METHOD_UNKNOWN",
                                                 "data": ["nosuch.method"]}, "id": 2}
    c.close()


# ---------------------------------------------------------------- sessions across protocols

def test_xmlrpc_session_works_over_jsonrpc(server):
    s = login(server.url)
    c = JsonRpc(server, 2)
    assert c.ok("pool.get_all", s.handle) == s.xenapi.pool.get_all()
    net = c.ok("network.create", s.handle, {"name_label": "shared", "name_description": "", "MTU": 1500,
                                            "other_config": {}})
    assert s.xenapi.network.get_name_label(net) == "shared"
    s.xenapi.network.set_name_label(net, "shared-2")
    assert c.ok("network.get_name_label", s.handle, net) == "shared-2"
    c.ok("network.destroy", s.handle, net)
    handle = s.handle
    s.xenapi.session.logout()
    assert c.call("pool.get_all", handle, id=1) == {
        "jsonrpc": "2.0", "error": {"code": 1, "message": "SESSION_INVALID", "data": [handle]}, "id": 1}
    c.close()


def test_jsonrpc_session_works_over_xmlrpc(server):
    c = JsonRpc(server, 1)
    ref = c.login()
    env = xmlrpc_call(server, "pool.get_all", ref)
    assert env["Status"] == "Success" and env["Value"] == c.ok("pool.get_all", ref)
    env = xmlrpc_call(server, "session.logout", ref, path="/RPC2")
    assert env == {"Status": "Success", "Value": ""}
    assert c.call("pool.get_all", ref, id="after") == {"result": None, "error": ["SESSION_INVALID", ref],
                                                       "id": "after"}
    c.close()


@pytest.mark.parametrize("request_body", [
    {"jsonrpc": "1.0", "method": "pool.get_all", "params": [], "id": 1},        # only "2.0" or absent
    {"method": "pool.get_all", "params": {}, "id": 1},                           # v1 params must be an array
    {"jsonrpc": "2.0", "method": 5, "params": [], "id": 1},                      # method must be a string
    {"jsonrpc": "2.0", "method": "pool.get_all", "params": [], "id": 1.5},       # id: integer or string
    {"jsonrpc": "2.0", "method": "pool.get_all", "params": []},                  # notification
], ids=["version-1.0", "v1-object-params", "method-int", "id-float", "no-id"])
def test_malformed_envelopes_are_http_500(server, request_body):
    status, headers, body = raw_post(server, "/jsonrpc", json.dumps(request_body).encode(), "application/json")
    assert status == 500
    assert headers["content-type"].startswith("text/html")
    c = JsonRpc(server, 2)
    ref = c.login()
    assert len(c.ok("pool.get_all", ref)) == 1
    c.ok("session.logout", ref)
    c.close()


def test_jsonrpc_response_headers(server):
    status, headers, body = raw_post(server, "/jsonrpc", json.dumps(
        {"jsonrpc": "2.0", "method": "pool.get_all", "params": [BAD_REF], "id": 1}).encode(), "application/json")
    assert status == 200
    assert headers["content-type"].split(";")[0] == "application/json"
    assert headers.get("access-control-allow-origin") == "*"
