"""Raising the state file's version (STATEFILE_VERSION): a file of an older
version is not this account's history. One info line names the file and
both versions, the account starts afresh as on its first start (counts
from a full read, old failures counted and not notified), and the file is
written again in the new version."""

import time

from accounts import account_block
from harness import wait_for

# A file as version 1 of the plugin wrote it (whole and well formed for
# that version: "end" holds the byte count before its own line).
V1_BODY = ("collectd-dcdn-state 1\naccount prod\nmode account\ncovered 1700000000\n"
           "health ok\ndomain 0 a.example.com\nledger 0 0 41 7\n"
           "task 1 1700000000 0 0 2 100 1\n")
V1 = V1_BODY + f"end {len(V1_BODY)}\n"


def test_a_file_of_an_older_version_starts_the_account_afresh(tmp_path, start_simulator,
                                                             start_collectd, notifications):
    tasks = [{"id": "10", "path": "http://a.example.com/old", "created": -300,
              "states": [{"after": 0, "status": "Failed", "description": "OriginTimeout"}]},
             {"id": "11", "path": "http://a.example.com/ok", "created": -200}]
    sim = start_simulator(scenario={"tasks": tasks})
    state_dir = sim.workdir / "state"
    state_dir.mkdir(mode=0o700)
    (state_dir / "prod.state").write_text(V1)
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]),
                            extra_config=notifications.config())
    wait_for(lambda: daemon.values().get("dcdn-a.example.com/count-file-complete") == 1.0,
             what="the counts of a fresh start")
    time.sleep(2)
    daemon.stop()
    lines = [line for line in daemon.log().splitlines() if "prod.state" in line]
    refused = [line for line in lines if "version 1" in line]
    assert len(refused) == 1, lines
    assert "[info]" in refused[0] and "version 2" in refused[0], refused[0]
    assert "starting afresh" in refused[0], refused[0]
    values = daemon.values()
    assert values["dcdn-a.example.com/count-file-failed"] == 1.0
    # The lifetime counters start again: the old file's 41/7 are gone.
    assert values["dcdn-a.example.com/total_operations-file-completed"] == 1.0
    assert values["dcdn-a.example.com/total_operations-file-failed"] == 1.0
    # History, as on a first start: counted, not notified.
    assert not [n for n in notifications.notifications() if n["Severity"] == "FAILURE"]
    assert (state_dir / "prod.state").read_text().startswith("collectd-dcdn-state 2\n")
