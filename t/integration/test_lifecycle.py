"""Lifecycle with the real collectd and the simulator: notifications
captured through the exec plugin's NotificationExec, counters and
completion times, quota, and the state file across restarts and kill -9."""

import os
import pathlib
import random
import signal
import time

from accounts import account_block
from harness import Collectd, wait_for

REASONS = ["InternalError", "OriginTimeout", "OriginReturn StatusCode 5XX"]
META = {"task_id", "object_path", "object_type", "status", "description", "domain", "account"}


def failing(task_id, at, reason, domain="a.example.com", typ="file"):
    return {"id": str(task_id), "path": f"http://{domain}/f/{task_id}", "type": typ,
            "created": at,
            "states": [{"after": 0, "status": "Refreshing", "process": "20%"},
                       {"after": 2, "status": "Failed", "process": "20%",
                        "description": reason}]}


def completing(task_id, at, after, domain="a.example.com", typ="file"):
    return {"id": str(task_id), "path": f"http://{domain}/c/{task_id}", "type": typ,
            "created": at,
            "states": [{"after": 0, "status": "Pending"},
                       {"after": 1, "status": "Refreshing", "process": "60%"},
                       {"after": after, "status": "Complete"}]}


def start(start_simulator, start_collectd, notifications, tasks, extra="", **sim):
    simulator = start_simulator(scenario={"tasks": tasks}, **sim)
    daemon = start_collectd(account_block("prod", simulator, domains=["a.example.com"],
                                          extra=extra),
                            extra_config=notifications.config())
    return simulator, daemon


def by_severity(notifications, severity):
    return [n for n in notifications.notifications() if n["Severity"] == severity]


def test_exactly_one_failure_per_failed_task_with_every_meta_field(
        start_simulator, start_collectd, notifications):
    history = dict(failing(100, -600, "InternalError"))  # failed before we looked
    tasks = [history] + [failing(200 + i, 1 + i, r) for i, r in enumerate(REASONS)]
    _, daemon = start(start_simulator, start_collectd, notifications, tasks)
    wait_for(lambda: len(by_severity(notifications, "FAILURE")) >= 3, timeout=20,
             what="three FAILURE notifications")
    time.sleep(3)
    failures = by_severity(notifications, "FAILURE")
    assert sorted(n["task_id"] for n in failures) == ["200", "201", "202"]
    for n, reason in zip(sorted(failures, key=lambda n: n["task_id"]), REASONS):
        assert META <= n.keys(), n
        assert n["description"] == reason and n["status"] == "failed"
        assert n["domain"] == "a.example.com" and n["account"] == "prod"
        assert n["object_type"] == "file" and n["object_path"].endswith(f"/f/{n['task_id']}")
        assert n["Plugin"] == "dcdn" and n["PluginInstance"] == "a.example.com"
        assert n["Host"] == "dcdn-test"
        assert f"task {n['task_id']}" in n["message"] and reason in n["message"]
    logged = [l for l in daemon.log().splitlines() if "Notification: severity = FAILURE" in l]
    assert len(logged) == 3
    values = daemon.values()
    assert values["dcdn-a.example.com/total_operations-file-failed"] == 4.0


def test_stuck_warning_then_okay_at_the_configured_threshold(
        start_simulator, start_collectd, notifications):
    slow = completing(300, 0, 7)
    quick = completing(301, 0, 2)
    _, daemon = start(start_simulator, start_collectd, notifications, [slow, quick],
                      extra="StuckAfter 4")
    wait_for(lambda: by_severity(notifications, "OKAY"), timeout=20, what="the OKAY")
    time.sleep(2)
    [warning] = by_severity(notifications, "WARNING")
    [okay] = by_severity(notifications, "OKAY")
    assert warning["task_id"] == okay["task_id"] == "300"
    assert "longer than StuckAfter 4 s" in warning["message"]
    assert float(warning["Time"]) < float(okay["Time"])


def test_account_failure_and_okay_around_an_outage(start_simulator, start_collectd,
                                                   notifications):
    sim = start_simulator(scenario={"tasks": [completing(400, -100, 1)],
                                    "faults": [{"kind": "reset", "from": 2, "to": 12}]})
    start_collectd(account_block("prod", sim, domains=["a.example.com"],
                                 extra="Timeout 1\nCollectQuota false"),
                   extra_config=notifications.config())
    wait_for(lambda: by_severity(notifications, "OKAY"), timeout=40, what="recovery")
    time.sleep(2)
    accounts = [n for n in notifications.notifications() if n["Type"] == "account"]
    assert [n["Severity"] for n in accounts] == ["FAILURE", "OKAY"]
    assert "unreachable" in accounts[0]["message"]


def test_account_failure_on_a_wrong_secret_and_okay_after_the_fix(
        tmp_path, start_simulator, notifications):
    sim = start_simulator(scenario={"tasks": [completing(500, -100, 1)]})
    config = account_block("prod", sim, secret="wrong", domains=["a.example.com"])
    first = Collectd(tmp_path, config, extra_config=notifications.config()).start()
    wait_for(lambda: by_severity(notifications, "FAILURE"), what="the account FAILURE")
    time.sleep(2.5)
    first.stop()
    [failure] = by_severity(notifications, "FAILURE")
    assert failure["Type"] == "account" and "SignatureDoesNotMatch" in failure["message"]
    fixed = Collectd(tmp_path, config.replace('"wrong"', '"testsecret"'),
                     extra_config=notifications.config()).start()
    try:
        wait_for(lambda: by_severity(notifications, "OKAY"), what="the account OKAY")
        time.sleep(1.5)
        assert len(by_severity(notifications, "FAILURE")) == 1
        assert len(by_severity(notifications, "OKAY")) == 1
    finally:
        fixed.stop()


def test_restart_between_polls_neither_repeats_nor_misses(tmp_path, start_simulator,
                                                          notifications):
    # 600 fails at 2 s (seen by the first daemon); 601 fails at 8 s, while
    # collectd is down; 602 fails at 14 s, after the restart.
    tasks = [failing(600, 0, "OriginTimeout"), failing(601, 6, "InternalError"),
             failing(602, 12, "OriginTimeout")]
    sim = start_simulator(scenario={"tasks": tasks})
    config = account_block("prod", sim, domains=["a.example.com"])
    first = Collectd(tmp_path, config, extra_config=notifications.config()).start()
    wait_for(lambda: by_severity(notifications, "FAILURE"), what="the first failure")
    time.sleep(1.5)
    first.stop()
    before = first.rows("dcdn-a.example.com/total_operations-file-failed")[-1][1]
    assert before == 1.0
    time.sleep(max(0, 10 - (time.time() - sim.records()[0]["t"])))
    second = Collectd(tmp_path, config, extra_config=notifications.config()).start()
    try:
        wait_for(lambda: len(by_severity(notifications, "FAILURE")) >= 3, timeout=20,
                 what="the other two failures")
        time.sleep(2)
        ids = [n["task_id"] for n in by_severity(notifications, "FAILURE")]
        assert sorted(ids) == ["600", "601", "602"], ids
        rows = second.rows("dcdn-a.example.com/total_operations-file-failed")
        assert [v for _, v in rows] == sorted(v for _, v in rows), "counters never go back"
        assert rows[-1][1] == 3.0
        assert "state loaded" in second.log()
    finally:
        second.stop()


def test_a_stuck_warning_notify_held_back_is_sent_after_a_restart_that_allows_it(
        tmp_path, start_simulator, notifications):
    # 700 is in flight from 0 s to 14 s, stuck after 2 s. The first daemon
    # may not warn (Notify "failed"); the second, started at 7 s, may.
    sim = start_simulator(scenario={"tasks": [completing(700, 0, 14)]})
    config = account_block("prod", sim, domains=["a.example.com"],
                           extra="StuckAfter 2")
    held_back = config.replace("StuckAfter 2", 'StuckAfter 2\n  Notify "failed"')
    first = Collectd(tmp_path, held_back, extra_config=notifications.config()).start()
    wait_for(sim.records, what="the first call")
    time.sleep(max(0, 6 - (time.time() - sim.records()[0]["t"])))
    first.stop()
    assert notifications.notifications() == []
    second = Collectd(tmp_path, config, extra_config=notifications.config()).start()
    try:
        wait_for(lambda: by_severity(notifications, "OKAY"), timeout=25, what="the OKAY")
        time.sleep(1.5)
        assert [(n["Severity"], n["task_id"]) for n in notifications.notifications()] == \
            [("WARNING", "700"), ("OKAY", "700")]
        assert "state loaded" in second.log()
    finally:
        second.stop()


def test_kill_9_during_polling_always_leaves_a_loadable_state_file(tmp_path, start_simulator):
    sim = start_simulator(scenario={"generate": [{"count": 3000, "domains": ["a.example.com"],
                                                  "created_from": -3000, "created_to": -5,
                                                  "id_start": 10000}]},
                          rate_limit=0)
    config = account_block("prod", sim, domains=["a.example.com"], extra="RateLimit 50")
    rng = random.Random(7)
    daemon = Collectd(tmp_path, config)
    daemon.start()
    wait_for(lambda: "state loaded" in daemon.log() or
             (tmp_path / "state" / "prod.state").exists(), what="a first state file")
    os.kill(daemon.proc.pid, signal.SIGKILL)
    daemon.proc.wait()
    for round_no in range(12):
        daemon.log_path.write_text("")
        daemon.start()
        time.sleep(rng.uniform(0.3, 1.5))
        os.kill(daemon.proc.pid, signal.SIGKILL)
        daemon.proc.wait()
        log = daemon.log()
        assert "state loaded" in log, f"round {round_no}: {log}"
        assert "starting afresh" not in log
    # What a kill mid-save left is removed by the next start that holds the
    # lock: the StateDir keeps the file and its lock alone.
    daemon.log_path.write_text("")
    daemon.start()
    wait_for(lambda: "state loaded" in daemon.log(), what="the state loaded")
    daemon.stop()
    assert sorted(p.name for p in (tmp_path / "state").iterdir()) == ["prod.state", "prod.state.lock"]


def test_a_start_removes_only_what_an_interrupted_save_left(tmp_path, start_simulator,
                                                            start_collectd):
    """Temporary files of a killed save (<account>.state.XXXXXX, mkstemp's
    six letters or digits) are removed at start, one info line; nothing
    else in the StateDir is touched, nor a link, nor another account's."""
    sim = start_simulator(scenario={"tasks": [completing(700, 2, 4)]})
    state = pathlib.Path(sim.workdir) / "state"
    state.mkdir(mode=0o700)
    left = ["prod.state.Ab9xQz", "prod.state.000000"]
    kept = ["prod.state.Ab9xQ", "prod.state.Ab9xQz7", "other.state.Ab9xQz", "prod.stateAb9xQz",
            "notes.txt"]
    for name in left + kept:
        (state / name).write_text("task 1 2 3\n")
    (state / "prod.state.Lnk123").symlink_to(state / "notes.txt")
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    wait_for(lambda: (state / "prod.state").exists(), what="the first save")
    names = {p.name for p in state.iterdir()}
    assert not names & set(left)
    assert set(kept) | {"prod.state.Lnk123", "prod.state", "prod.state.lock"} == names
    [line] = daemon.log_lines("that an interrupted save left")
    assert 'account "prod": removed 2 temporary file(s)' in line


def test_completion_time_and_quota_values(start_simulator, start_collectd, notifications):
    quota = {"UrlQuota": "10000", "UrlRemain": "9876", "DirQuota": "100", "DirRemain": "42",
             "PreloadQuota": "1000", "PreloadRemain": "999", "RegexQuota": "20",
             "RegexRemain": "3"}
    sim = start_simulator(scenario={"tasks": [completing(700, 2, 4)], "quota": quota})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    wait_for(lambda: "dcdn-a.example.com/duration-file-completion_mean" in daemon.values(),
             timeout=20, what="a completion time")
    values = daemon.values()
    # Complete 4 s after creation; seen by the first poll after that (1 s).
    assert 4.0 <= values["dcdn-a.example.com/duration-file-completion_mean"] <= 5.5
    assert values["dcdn-a.example.com/duration-file-completion_max"] == \
        values["dcdn-a.example.com/duration-file-completion_mean"]
    assert values["dcdn-a.example.com/total_operations-file-completed"] == 1.0
    assert values["dcdn-prod/count-remain-url"] == 9876
    assert values["dcdn-prod/count-quota-url"] == 10000
    assert values["dcdn-prod/count-remain-dir"] == 42
    assert values["dcdn-prod/count-remain-regex"] == 3
    assert values["dcdn-prod/count-quota-ignore_params"] >= 0
    rows = daemon.rows("dcdn-a.example.com/percent-file-progress")
    assert rows and rows[0][1] in (0.0, 60.0)
    oldest = daemon.rows("dcdn-a.example.com/duration-file-oldest_in_flight")
    assert max(v for _, v in oldest) >= 1.0
