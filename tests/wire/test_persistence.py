"""Every acknowledged write is durable: across a graceful restart and across SIGKILL mid-burst."""
import threading
import time
import uuid

import pytest
import XenAPI

from conftest import login, new_network, xmlrpc_call


def test_objects_survive_a_graceful_restart(fresh_server):
    s = login(fresh_server.url)
    x = s.xenapi
    label = "persist-" + uuid.uuid4().hex
    net = new_network(x, label, "kept across restarts", MTU="9000")
    x.network.add_to_other_config(net, "k", "v")
    x.network.add_tags(net, "tag-a")
    x.network.set_name_description(net, "changed before restart")
    doomed = new_network(x, label + "-doomed")
    x.network.destroy(doomed)
    task = x.task.create("persist-task", "client task")
    x.task.set_progress(task, 0.75)
    expected = x.network.get_record(net)
    pool_before = x.pool.get_record(x.pool.get_all()[0])
    host_before = x.host.get_all()
    vms_before = sorted(x.VM.get_all())
    old_handle = s.handle

    fresh_server.stop()
    assert fresh_server.process.returncode is not None
    fresh_server.start()

    # Sessions do not survive a restart.
    assert xmlrpc_call(fresh_server, "pool.get_all", old_handle) == {
        "Status": "Failure", "ErrorDescription": ["SESSION_INVALID", old_handle]}

    s2 = login(fresh_server.url)
    y = s2.xenapi
    assert y.network.get_record(net) == expected
    assert expected["MTU"] == "9000"
    assert expected["other_config"] == {"k": "v"}
    assert expected["tags"] == ["tag-a"]
    assert expected["name_description"] == "changed before restart"
    assert y.network.get_by_uuid(expected["uuid"]) == net
    assert y.network.get_by_name_label(label) == [net]
    assert y.network.get_by_name_label(label + "-doomed") == []
    # Like sessions, tasks are not persisted (datamodel `persisted: false`, xapi's PersistNothing).
    with pytest.raises(XenAPI.Failure) as e:
        y.task.get_record(task)
    assert e.value.details == ["HANDLE_INVALID", "task", task]
    assert y.host.get_all() == host_before
    assert sorted(y.VM.get_all()) == vms_before
    assert y.pool.get_record(y.pool.get_all()[0])["uuid"] == pool_before["uuid"]
    # And it still works normally afterwards.
    y.network.set_name_label(net, "after restart")
    assert y.network.get_name_label(net) == "after restart"
    s2.xenapi.session.logout()


WRITERS = 4


def writer(url, index, stop, log):
    """Creates uniquely labelled networks and counts up the label of its own network, recording every success."""
    s = login(url)
    x = s.xenapi
    own_label = f"w{index}-own"
    own = new_network(x, own_label)
    log["own"] = own
    log["created"] = []        # (ref, label) pairs acknowledged by the server
    log["last_set"] = -1       # highest acknowledged counter on `own`
    n = 0
    try:
        while not stop.is_set():
            n += 1
            label = f"w{index}-c{n}-{uuid.uuid4().hex[:8]}"
            ref = new_network(x, label)
            log["created"].append((ref, label))
            x.network.set_name_label(own, str(n))
            log["last_set"] = n
    except Exception as e:     # the server was killed under us
        log["stopped_by"] = repr(e)


def test_every_acknowledged_write_survives_sigkill(fresh_server):
    stop = threading.Event()
    logs = [{} for _ in range(WRITERS)]
    threads = [threading.Thread(target=writer, args=(fresh_server.url, i, stop, logs[i]))
               for i in range(WRITERS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and min(len(log.get("created", ())) for log in logs) < 25:
        time.sleep(0.05)
    assert all(len(log.get("created", ())) >= 25 for log in logs), "writers made too little progress"

    fresh_server.kill()                     # SIGKILL mid-burst
    stop.set()
    for t in threads:
        t.join(timeout=30)
        assert not t.is_alive()
    assert all("stopped_by" in log for log in logs), "a writer never saw the server die"

    fresh_server.start()
    s = login(fresh_server.url)
    x = s.xenapi
    stored = x.network.get_all_records()
    total = 0
    for index, log in enumerate(logs):
        own = log["own"]
        assert own in stored, f"writer {index}: own network lost"
        value = stored[own]["name_label"]
        assert value.isdigit(), f"writer {index}: own label {value!r}"
        assert int(value) >= log["last_set"], (index, value, log["last_set"])
        for ref, label in log["created"]:
            assert ref in stored, f"writer {index}: acknowledged network {label} ({ref}) lost"
            assert stored[ref]["name_label"] == label
            total += 1
    assert total >= WRITERS * 25
    # Labels were unique, so each acknowledged creation maps to exactly one stored object.
    labels = [r["name_label"] for r in stored.values()]
    for log in logs:
        for _, label in log["created"]:
            assert labels.count(label) == 1
    # The restarted server keeps writing normally.
    net = new_network(x, "after-kill")
    assert x.network.get_name_label(net) == "after-kill"
    s.xenapi.session.logout()
