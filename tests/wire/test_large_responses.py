"""Large results (here 300 networks) are streamed while encoded; clients must see the same data."""
import json

import XenAPI

from conftest import PASSWORD, raw_post


def test_get_all_records_of_many_objects_over_both_wires(fresh_server):
    s = XenAPI.Session(fresh_server.url)
    s.xenapi.login_with_password("root", PASSWORD)
    created = set(s.xenapi.network.get_all())  # the management network, there from the start
    for index in range(300):
        created.add(s.xenapi.network.create({"name_label": f"bulk-{index}", "name_description": "",
                                             "MTU": "1500", "other_config": {"i": str(index)}}))
    records = s.xenapi.network.get_all_records()
    assert set(records) == created
    assert sorted(r["other_config"]["i"] for r in records.values() if "i" in r["other_config"]) == sorted(
        str(i) for i in range(300))
    assert all(r["MTU"] == "1500" for r in records.values())

    body = json.dumps({"jsonrpc": "2.0", "method": "network.get_all_records", "params": [s.handle], "id": 9})
    status, headers, payload = raw_post(fresh_server, "/jsonrpc", body.encode(), "application/json")
    assert status == 200
    reply = json.loads(payload)
    assert reply["id"] == 9
    assert set(reply["result"]) == created
    assert all(r["MTU"] == 1500 for r in reply["result"].values())
    s.xenapi.session.logout()
