"""event.from / inject / register-next, and Async calls with their tasks."""
import re
import threading
import time
import uuid
import xmlrpc.client

import pytest
import XenAPI

from conftest import PASSWORD, login, new_network, xmlrpc_call

TOKEN = re.compile(r"^\d{20},\d{20}$")


def unique(prefix="ev"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def current_token(x, classes=("*",)):
    result = x.event_from(list(classes), "", 0.0)
    assert TOKEN.match(result["token"]), result["token"]
    return result["token"]


def by_ref(events):
    out = {}
    for e in events:
        assert e["ref"] not in out, f"not coalesced: {events}"
        out[e["ref"]] = e
    return out


def wait_task(x, task, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        status = x.task.get_status(task)
        if status != "pending":
            return status
        assert time.monotonic() < deadline, "task still pending"
        time.sleep(0.02)


# ---------------------------------------------------------------- event.from

def test_event_from_empty_token_returns_everything_as_add(session):
    x = session.xenapi
    net = new_network(x, unique())
    result = x.event_from(["*"], "", 0.0)
    assert set(result) == {"events", "valid_ref_counts", "token"}
    assert TOKEN.match(result["token"])
    events = by_ref(result["events"])
    assert all(e["operation"] == "add" for e in result["events"])
    pool = x.pool.get_all()[0]
    host = x.host.get_all()[0]
    dom0 = next(r for r, v in x.VM.get_all_records().items() if v["is_control_domain"])
    assert events[pool]["class"] == "pool"
    assert events[host]["class"] == "host"
    assert events[dom0]["class"] == "vm"
    assert events[dom0]["snapshot"]["is_control_domain"] is True
    assert events[net]["class"] == "network"
    assert events[net]["snapshot"] == x.network.get_record(net)
    for e in result["events"]:
        assert set(e) >= {"id", "timestamp", "class", "operation", "ref", "snapshot"}
        assert isinstance(e["id"], str) and e["class"] == e["class"].lower()
    # Every existing network / host_cpu is there, and the counts agree.
    assert {r for r, e in events.items() if e["class"] == "network"} == set(x.network.get_all())
    assert len([e for e in result["events"] if e["class"] == "host_cpu"]) == 8
    counts = result["valid_ref_counts"]
    assert counts["network"] == len(x.network.get_all())
    assert counts["pool"] == 1 and counts["host"] == 1 and counts["host_cpu"] == 8
    assert all(type(v) is int for v in counts.values())          # <i4> on the wire


def test_event_from_class_filter(session):
    x = session.xenapi
    result = x.event_from(["network"], "", 0.0)
    assert {e["class"] for e in result["events"]} == {"network"}
    assert {e["ref"] for e in result["events"]} == set(x.network.get_all())
    # Class names are case-insensitive.
    upper = x.event_from(["VM"], "", 0.0)
    assert {e["class"] for e in upper["events"]} == {"vm"}


def test_token_advances_and_only_new_changes_come_back(session):
    x = session.xenapi
    token = current_token(x, ["network"])
    net = new_network(x, unique())
    r1 = x.event_from(["network"], token, 5.0)
    assert r1["token"] > token
    events = by_ref(r1["events"])
    assert set(events) == {net}
    assert events[net]["operation"] == "add"
    assert events[net]["snapshot"]["name_label"] == x.network.get_name_label(net)

    x.network.set_name_label(net, "second")
    r2 = x.event_from(["network"], r1["token"], 5.0)
    assert r2["token"] > r1["token"]
    assert [(e["ref"], e["operation"], e["snapshot"]["name_label"]) for e in r2["events"]] == [(net, "mod", "second")]

    # Nothing new: an empty list and a token no older than before.
    r3 = x.event_from(["network"], r2["token"], 0.0)
    assert r3["events"] == []
    assert r3["token"] >= r2["token"]


def test_event_from_times_out_with_no_events(session):
    x = session.xenapi
    token = current_token(x, ["network"])
    started = time.monotonic()
    result = x.event_from(["network"], token, 0.5)
    elapsed = time.monotonic() - started
    assert result["events"] == []
    assert 0.4 <= elapsed < 3
    assert TOKEN.match(result["token"])


def test_waiting_event_from_wakes_on_a_set_from_another_session(server, session):
    x = session.xenapi
    net = new_network(x, unique())
    token = current_token(x, ["network"])
    outcome = {}

    def waiter():
        s = login(server.url)
        try:
            outcome["result"] = s.xenapi.event_from(["network"], token, 30.0)
        except Exception as e:             # reported by the main thread
            outcome["error"] = e
        finally:
            outcome["returned_at"] = time.monotonic()
            s.xenapi.session.logout()

    t = threading.Thread(target=waiter)
    t.start()
    time.sleep(0.5)
    assert t.is_alive(), outcome
    set_at = time.monotonic()
    x.network.set_name_label(net, "woken")
    t.join(timeout=10)
    assert not t.is_alive(), "event_from did not return after the set"
    assert "error" not in outcome, outcome
    assert outcome["returned_at"] - set_at < 2.0
    events = by_ref(outcome["result"]["events"])
    assert events[net]["operation"] == "mod"
    assert events[net]["snapshot"]["name_label"] == "woken"


def test_del_event_for_an_object_that_existed_before(session):
    x = session.xenapi
    net = new_network(x, unique())
    token = current_token(x, ["network"])
    x.network.destroy(net)
    result = x.event_from(["network"], token, 5.0)
    events = by_ref(result["events"])
    assert set(events) == {net}
    assert events[net]["operation"] == "del"
    assert events[net]["class"] == "network"
    assert "snapshot" not in events[net]


def test_created_then_deleted_inside_the_window_yields_nothing(session):
    x = session.xenapi
    token = current_token(x, ["network"])
    transient = new_network(x, unique("transient"))
    x.network.set_name_label(transient, "still transient")
    x.network.destroy(transient)
    kept = new_network(x, unique("kept"))
    result = x.event_from(["network"], token, 5.0)
    events = by_ref(result["events"])
    assert transient not in events
    assert set(events) == {kept}
    assert events[kept]["operation"] == "add"


def test_task_ref_subscription(session):
    x = session.xenapi
    task = x.task.create(unique("sub"), "subscription test")
    other = x.task.create(unique("other"), "")
    try:
        initial = x.event_from([f"task/{task}"], "", 0.0)
        assert [(e["ref"], e["operation"], e["class"]) for e in initial["events"]] == [(task, "add", "task")]
        x.task.set_progress(other, 0.3)
        new_network(x, unique())
        x.task.set_progress(task, 0.5)
        result = x.event_from([f"task/{task}"], initial["token"], 5.0)
        assert [(e["ref"], e["operation"]) for e in result["events"]] == [(task, "mod")]
        assert result["events"][0]["snapshot"]["progress"] == 0.5
        # Changes to other objects alone do not wake a task/<ref> subscriber.
        x.task.set_progress(other, 0.6)
        quiet = x.event_from([f"task/{task}"], result["token"], 0.3)
        assert quiet["events"] == []
    finally:
        x.task.destroy(task)
        x.task.destroy(other)


def test_event_inject(session):
    x = session.xenapi
    net = new_network(x, unique())
    token = current_token(x, ["network"])
    injected = x.event.inject("network", net)
    assert TOKEN.match(injected), injected
    assert injected > token
    result = x.event_from(["network"], token, 5.0)
    assert result["token"] >= injected
    events = by_ref(result["events"])
    assert set(events) == {net}
    assert events[net]["operation"] == "mod"
    assert events[net]["snapshot"] == x.network.get_record(net)


def test_register_next_unregister(session):
    x = session.xenapi
    assert x.event.register(["network", "task"]) == ""
    try:
        net = new_network(x, unique())
        events = x.event.next()
        assert isinstance(events, list)
        mine = [e for e in events if e["ref"] == net]
        assert [e["operation"] for e in mine] == ["add"]
        assert mine[0]["class"] == "network"
        assert mine[0]["snapshot"]["name_label"] == x.network.get_name_label(net)

        assert x.event.unregister(["network"]) == ""
        net2 = new_network(x, unique())
        task = x.task.create(unique("reg"), "")
        events = x.event.next()
        assert net2 not in {e["ref"] for e in events}
        assert all(e["class"] != "network" for e in events), events
        assert [e["operation"] for e in events if e["ref"] == task] == ["add"]
        x.task.destroy(task)
    finally:
        x.event.unregister(["task"])


def test_logout_unblocks_a_waiting_event_from(server):
    ref = xmlrpc_call(server, "session.login_with_password", "root", PASSWORD)["Value"]
    token = xmlrpc_call(server, "event_from", ref, ["network"], "", 0.0)["Value"]["token"]
    outcome = {}

    def waiter():
        # A plain ServerProxy, because the SDK would log in again on SESSION_INVALID.
        proxy = xmlrpc.client.ServerProxy(server.url + "/", allow_none=True)
        try:
            outcome["envelope"] = proxy.event_from(ref, ["network"], token, 30.0)
        except Exception as e:
            outcome["error"] = e
        outcome["returned_at"] = time.monotonic()

    t = threading.Thread(target=waiter)
    t.start()
    time.sleep(0.5)
    assert t.is_alive(), outcome
    logout_at = time.monotonic()
    assert xmlrpc_call(server, "session.logout", ref) == {"Status": "Success", "Value": ""}
    t.join(timeout=10)
    assert not t.is_alive(), "event_from still blocked after logout"
    assert "error" not in outcome, outcome
    assert outcome["returned_at"] - logout_at < 2.0
    assert outcome["envelope"] == {"Status": "Failure", "ErrorDescription": ["SESSION_INVALID", ref]}


# ---------------------------------------------------------------- Async and tasks

def test_async_create_task_succeeds_with_result_fragment(session):
    x = session.xenapi
    label = unique("async")
    task = x.Async.network.create({"name_label": label, "name_description": "by task", "MTU": "1500",
                                   "other_config": {}})
    assert task.startswith("OpaqueRef:")
    assert wait_task(x, task) == "success"
    rec = x.task.get_record(task)
    assert rec["status"] == "success"
    assert rec["progress"] == 1.0
    assert rec["error_info"] == []
    m = re.fullmatch(r"<value>(OpaqueRef:[0-9a-f-]+)</value>", rec["result"])
    assert m, rec["result"]
    net = m.group(1)
    assert x.network.get_name_label(net) == label
    assert x.network.get_by_name_label(label) == [net]
    assert isinstance(rec["finished"], xmlrpc.client.DateTime)
    assert rec["finished"].value != "19700101T00:00:00Z"
    assert rec["finished"].value >= rec["created"].value
    assert rec["allowed_operations"] == []
    assert task in x.task.get_all()

    # Async destroy: void result.
    t2 = x.Async.network.destroy(net)
    assert wait_task(x, t2) == "success"
    assert x.task.get_result(t2) == "<value></value>"
    assert net not in x.network.get_all()

    assert x.task.destroy(task) == ""
    x.task.destroy(t2)
    with pytest.raises(XenAPI.Failure) as e:
        x.task.get_record(task)
    assert e.value.details == ["HANDLE_INVALID", "task", task]
    assert task not in x.task.get_all()


def test_async_failure_error_info(session):
    x = session.xenapi
    bad = "OpaqueRef:deadbeef-0000-0000-0000-000000000000"
    task = x.Async.network.destroy(bad)
    assert task.startswith("OpaqueRef:")
    assert wait_task(x, task) == "failure"
    rec = x.task.get_record(task)
    assert rec["error_info"] == ["HANDLE_INVALID", "network", bad]
    assert rec["progress"] == 1.0
    assert rec["result"] == ""
    assert rec["finished"].value != "19700101T00:00:00Z"
    x.task.destroy(task)


def test_async_task_seen_through_task_subscription(session):
    x = session.xenapi
    task = x.Async.network.create({"name_label": unique("evtask"), "name_description": "", "MTU": "1500",
                                   "other_config": {}})
    token = ""
    deadline = time.monotonic() + 10
    status = None
    while time.monotonic() < deadline:
        result = x.event_from([f"task/{task}"], token, 5.0)
        token = result["token"]
        for e in result["events"]:
            assert e["ref"] == task
            status = e["snapshot"]["status"]
        if status not in (None, "pending"):
            break
    assert status == "success"
    x.task.destroy(task)


def test_client_task_create_set_and_destroy(session):
    x = session.xenapi
    label = unique("client")
    task = x.task.create(label, "a client task")
    rec = x.task.get_record(task)
    assert rec["name_label"] == label
    assert rec["name_description"] == "a client task"
    assert rec["status"] == "pending"
    assert rec["progress"] == 0.0
    assert rec["finished"].value == "19700101T00:00:00Z"
    assert rec["error_info"] == []
    assert x.task.get_by_name_label(label) == [task]
    assert x.task.get_by_uuid(rec["uuid"]) == task

    x.task.set_progress(task, 0.25)
    assert x.task.get_progress(task) == 0.25
    x.task.set_result(task, "<value>OpaqueRef:NULL</value>")
    assert x.task.get_result(task) == "<value>OpaqueRef:NULL</value>"
    x.task.set_status(task, "success")
    assert x.task.get_status(task) == "success"
    assert x.task.get_record(task)["result"] == "<value>OpaqueRef:NULL</value>"

    x.task.destroy(task)
    with pytest.raises(XenAPI.Failure) as e:
        x.task.get_status(task)
    assert e.value.details == ["HANDLE_INVALID", "task", task]


def test_cancel_pending_client_task(session):
    x = session.xenapi
    task = x.task.create(unique("cancel"), "")
    assert x.task.get_status(task) == "pending"
    assert x.task.cancel(task) == ""
    assert x.task.get_status(task) == "cancelling"
    x.task.destroy(task)
    assert task not in x.task.get_all()


def test_alerts_raise_events_and_query_by_time(session):
    x = session.xenapi
    host = x.host.get_all()[0]
    token = x.event_from(["message"], "", 0.0)["token"]
    alert = x.message.create("TEST_ALERT", "3", "Host", x.host.get_uuid(host), "from the wire tests")
    batch = x.event_from(["message"], token, 5.0)
    assert [(e["operation"], e["ref"]) for e in batch["events"]] == [("add", alert)]
    assert batch["events"][0]["snapshot"]["name"] == "TEST_ALERT"
    since = x.message.get_since("20000101T00:00:00Z")
    assert alert in since and since[alert]["priority"] == "3"
    x.message.destroy(alert)
    assert alert not in x.message.get_all()
