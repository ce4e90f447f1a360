"""End to end through real writers: collectd with the plugin, against the
simulator, into a real carbon-cache (read back from the whisper files with
whisper-fetch) and a real InfluxDB 1.x (its collectd listener, read back
with `influx`); and a fleet, where a poller collectd forwards values and
notifications with the network plugin to a central collectd that writes to
carbon. Every daemon runs on free loopback ports in the test's directory
and is stopped by PID."""

import re

import pytest

from accounts import account_block
from harness import free_port, wait_for
from pipeline import Carbon, Central, Influx, network_client_config, poller, stop_all, \
    wait_for_values, write_graphite_config

TYPES = ["file", "directory", "regex", "preload"]
STATUSES = ["pending", "refreshing", "complete", "failed"]
A, B = "a.example.com", "static.example.org"
B_TYPES = ["file", "preload"]
QUOTA = {"UrlQuota": 3000, "UrlRemain": 2712, "DirQuota": 150, "DirRemain": 149,
         "PreloadQuota": 800, "PreloadRemain": 555, "RegexQuota": 25, "RegexRemain": 24,
         "BlockQuota": 12, "BlockRemain": 11, "IgnoreParamsQuota": 9,
         "IgnoreParamsRemain": 8}
QUOTA_KINDS = {"url": "Url", "dir": "Dir", "preload": "Preload", "regex": "Regex",
               "block": "Block", "ignore_params": "IgnoreParams"}


class Scenario:
    """Static tasks (their states fixed from the start, all inside the
    Lookback window) plus one task of static.example.org that arrives at
    +3 s and completes 3 s later, so that every documented series has a
    known value. The quota is answered once 503 and once Throttling.User
    before it succeeds: both are retried, and counted."""

    def __init__(self):
        self.tasks = []
        self.counts = {}          # (domain, type, status) -> final count
        self.progress = {}        # (domain, type) -> [process of tasks in flight]
        self.oldest = {}          # (domain, type) -> -created of the oldest in flight
        for domain, typ, status, created, processes in [
                (A, "file", "Pending", -800, [0, 0]),   # younger than StuckAfter
                (A, "file", "Refreshing", -700, [40, 60, 80]),
                (A, "file", "Complete", -500, [100] * 5),
                (A, "file", "Failed", -400, [0]),
                (A, "directory", "Complete", -800, [100] * 4),
                (A, "directory", "Failed", -600, [0, 0]),
                (A, "regex", "Refreshing", -300, [50]),
                (A, "preload", "Pending", -120, [0]),
                (A, "preload", "Complete", -200, [100] * 2),
                (B, "file", "Refreshing", -600, [10, 30]),
                (B, "file", "Complete", -1200, [100] * 7),
                (B, "file", "Failed", -1000, [0] * 3),
                (B, "preload", "Complete", -50, [100]),
                (B, "regex", "Complete", -40, [100] * 2),           # type not configured
                ("other.example.net", "file", "Complete", -30, [100])]:  # domain not configured
            for i, process in enumerate(processes):
                self.add(domain, typ, created - i, [{"after": 0, "status": status,
                                                     "process": f"{process}%"}])
            key = (domain, typ, status.lower())
            self.counts[key] = self.counts.get(key, 0) + len(processes)
            if status in ("Pending", "Refreshing"):
                self.progress.setdefault((domain, typ), []).extend(processes)
                self.oldest[(domain, typ)] = max(self.oldest.get((domain, typ), 0),
                                                 -(created - len(processes) + 1))
        # After the plugin's first (cold) read, which must not see it: a
        # task found finished then has no completion time.
        self.add(B, "file", 3, [{"after": 0, "status": "Refreshing", "process": "50%"},
                                {"after": 3, "status": "Complete"}])
        self.counts[(B, "file", "complete")] += 1
        self.faults = [
            {"kind": "status", "action": "DescribeDcdnRefreshQuota", "times": 1,
             "http": 503, "code": "ServiceUnavailable"},
            {"kind": "status", "action": "DescribeDcdnRefreshQuota", "times": 1,
             "http": 400, "code": "Throttling.User"}]

    def add(self, domain, typ, created, states):
        task_id = str(5000 + len(self.tasks))
        self.tasks.append({"id": task_id, "path": f"http://{domain}/p/{task_id}.bin",
                           "type": typ, "created": created, "states": states})

    def json(self):
        return {"tasks": self.tasks, "faults": self.faults,
                "quota": {k: str(v) for k, v in QUOTA.items()}}

    def expected(self):
        """Every series the plugin must send, keyed (plugin_instance, type,
        type_instance): an exact value, or a predicate where the value
        depends on the clock."""
        want = {}
        for domain, types in ((A, TYPES), (B, B_TYPES)):
            for t in types:
                for s in STATUSES:
                    want[(domain, "count", f"{t}-{s}")] = self.counts.get((domain, t, s), 0)
                for op, s in (("completed", "complete"), ("failed", "failed")):
                    # every task here is final (or completes once), so the
                    # counters equal the counts
                    want[(domain, "total_operations", f"{t}-{op}")] = \
                        self.counts.get((domain, t, s), 0)
                age = self.oldest.get((domain, t))
                want[(domain, "duration", f"{t}-oldest_in_flight")] = \
                    (lambda v, age=age: age <= v <= age + 60) if age else 0
                if (domain, t) in self.progress:
                    p = self.progress[(domain, t)]
                    want[(domain, "percent", f"{t}-progress")] = sum(p) / len(p)
            want[(domain, "duration", "staleness")] = lambda v: 0 <= v <= 5
        # The one task that completed while watched: created at +3,
        # Complete from +6, seen by the next poll (a second apart, later on
        # a loaded machine). One task: mean and max are the same.
        for stat in ("completion_mean", "completion_max"):
            want[(B, "duration", f"file-{stat}")] = lambda v: 3 <= v <= 8
        want[("prod", "total_requests", "calls")] = lambda v: v >= 4
        want[("prod", "total_requests", "throttled")] = 1
        want[("prod", "errors", "ServiceUnavailable")] = 1
        want[("prod", "errors", "Throttling.User")] = 1
        want[("prod", "response_time", "api")] = lambda v: 0 < v < 2
        want[("prod", "response_time", "api_max")] = lambda v: 0 < v < 2
        want[("prod", "duration", "staleness")] = lambda v: 0 <= v <= 5
        # The read callback only sends what the account's thread found.
        want[("prod", "duration", "read_callback")] = lambda v: 0 <= v < 0.5
        # Only tasks of reported domains and types are held.
        types = {A: TYPES, B: B_TYPES}
        reported = [t for t in self.tasks
                    if t["type"] in types.get(t["path"].split("/")[2], ())]
        want[("prod", "count", "tracked_tasks")] = len(reported)
        want[("prod", "memory", "tracked_tasks")] = lambda v: v >= 24 * len(reported)
        for kind, field in QUOTA_KINDS.items():
            want[("prod", "count", f"quota-{kind}")] = QUOTA[f"{field}Quota"]
            want[("prod", "count", f"remain-{kind}")] = QUOTA[f"{field}Remain"]
        return want


def plugin_config(sim):
    return account_block("prod", sim, domains=[A, (B, B_TYPES)])


def graphite_path(host, plugin_instance, typ, type_instance):
    """What write_graphite makes of an identifier with default Prefix,
    Postfix and SeparateInstances and EscapeCharacter "_": dots inside a
    field become "_"."""
    esc = lambda s: s.replace(".", "_")  # noqa: E731
    return f"{esc(host)}.dcdn-{esc(plugin_instance)}.{typ}-{esc(type_instance)}"


@pytest.fixture
def daemons():
    started = []
    yield started
    stop_all(started)


def test_every_documented_metric_reaches_carbon(daemons, start_simulator, start_collectd,
                                                tmp_path):
    carbon = Carbon(tmp_path)
    daemons.append(carbon)
    scenario = Scenario()  # its clock starts with the simulator: start it last
    sim = start_simulator(scenario=scenario.json())
    daemon = start_collectd(plugin_config(sim),
                            extra_config=write_graphite_config(carbon.port))
    expected = {graphite_path("dcdn-test", *k): v for k, v in scenario.expected().items()}

    carbon.wait_for_paths(expected, timeout=25)
    got = wait_for_values(lambda: carbon.latest(expected), expected, timeout=20,
                          what="the scenario's values in whisper")

    # Exactly these series, named as Graphite users see them: nothing of a
    # domain or object type that is not configured.
    assert carbon.paths() == expected.keys()
    for path in ["dcdn-test.dcdn-a_example_com.count-file-complete",
                 "dcdn-test.dcdn-static_example_org.count-preload-complete",
                 "dcdn-test.dcdn-static_example_org.duration-file-completion_mean",
                 "dcdn-test.dcdn-a_example_com.total_operations-directory-failed",
                 "dcdn-test.dcdn-prod.errors-Throttling_User",
                 "dcdn-test.dcdn-prod.count-remain-ignore_params",
                 "dcdn-test.dcdn-prod.memory-tracked_tasks"]:
        # whisper-fetch itself shows the same (these values no longer change)
        assert carbon.fetch(path)[-1][1] == got[path], path
    assert (carbon.data_dir / "dcdn-test" / "dcdn-a_example_com"
            / "count-file-complete.wsp").is_file()
    assert got["dcdn-test.dcdn-a_example_com.count-file-complete"] == 5
    assert got["dcdn-test.dcdn-static_example_org.count-file-complete"] == 8
    assert got["dcdn-test.dcdn-static_example_org.duration-file-completion_mean"] == \
        got["dcdn-test.dcdn-static_example_org.duration-file-completion_max"]
    # Counters are stored raw (StoreRates false) and never go back.
    calls = [v for _, v in carbon.fetch("dcdn-test.dcdn-prod.total_requests-calls")]
    assert calls == sorted(calls) and calls[-1] <= len(sim.records())
    assert daemon.alive()
    assert not daemon.log_lines("[error]"), daemon.log()


def test_every_documented_metric_reaches_influxdb(daemons, start_simulator, start_collectd,
                                                  tmp_path):
    influx = Influx(tmp_path)
    daemons.append(influx)
    scenario = Scenario()
    sim = start_simulator(scenario=scenario.json())
    daemon = start_collectd(plugin_config(sim),
                            extra_config=network_client_config(influx.collectd_port))
    expected = scenario.expected()

    def read():
        """(instance, type, type_instance) -> the newest value. The
        measurement is dcdn_<data source name>: dcdn_seconds for the
        duration type, dcdn_value for every other; the field is "value"."""
        out = {}
        for measurement in ("dcdn_value", "dcdn_seconds"):
            for s in influx.query(f"SELECT last(value) FROM {measurement} GROUP BY *") or []:
                tags = s["tags"]
                assert s["name"] == measurement and tags["host"] == "dcdn-test", s
                assert (tags["type"] == "duration") == (measurement == "dcdn_seconds"), s
                out[(tags["instance"], tags["type"], tags["type_instance"])] = s["values"][0][1]
        return out

    got = wait_for_values(read, expected, timeout=30, what="the scenario's values in InfluxDB")
    assert got.keys() == expected.keys()
    assert got[(B, "duration", "file-completion_mean")] == \
        got[(B, "duration", "file-completion_max")]
    [measurements] = influx.query("SHOW MEASUREMENTS")
    assert measurements["values"] == [["dcdn_seconds"], ["dcdn_value"]]
    [tag_keys] = influx.query("SHOW TAG KEYS FROM dcdn_value")
    assert tag_keys["values"] == [["host"], ["instance"], ["type"], ["type_instance"]]
    # The tags as an InfluxQL user writes them: the domain keeps its dots.
    [row] = influx.query(f"SELECT value FROM dcdn_value WHERE host = 'dcdn-test' AND "
                         f"instance = '{B}' AND type = 'count' AND "
                         f"type_instance = 'file-complete' ORDER BY time DESC LIMIT 1")
    assert row["values"][0][1] == 8
    # No value was NaN (InfluxDB drops those points, with a log line).
    assert "Dropping point" not in influx.log()
    assert daemon.alive()
    assert not daemon.log_lines("[error]"), daemon.log()


def test_fleet_values_and_failure_notification_reach_the_centre(
        daemons, start_simulator, notifications, tmp_path):
    tasks = [{"id": str(100 + i), "path": f"http://{A}/s/{i}", "type": t,
              "created": -60 - i, "states": [{"after": 0, "status": s}]}
             for i, (t, s) in enumerate([("file", "Complete"), ("file", "Complete"),
                                         ("file", "Failed"), ("preload", "Pending")])]
    # Fails after the poller's first read (failures found by that read
    # are counted, not notified): the simulator starts just before it.
    tasks.append({"id": "300", "path": f"http://{A}/f/300", "type": "file", "created": 2,
                  "states": [{"after": 0, "status": "Refreshing", "process": "20%"},
                             {"after": 2, "status": "Failed", "description": "OriginTimeout"}]})
    carbon = Carbon(tmp_path)
    daemons.append(carbon)
    port = free_port()
    centre = Central(tmp_path / "central", port,
                     extra_config=write_graphite_config(carbon.port) + notifications.config())
    daemons.append(centre)
    centre.start()
    sim = start_simulator(scenario={"tasks": tasks})
    edge = poller(tmp_path / "poller", account_block("prod", sim, domains=[A]), "poller-1",
                  extra_config=network_client_config(port))
    daemons.append(edge)
    edge.start()

    def failures():
        return [n for n in notifications.notifications() if n["Severity"] == "FAILURE"]

    [failure] = wait_for(failures, timeout=20, what="the FAILURE notification at the centre")
    message = "DCDN file task 300 (http://a.example.com/f/300) failed: OriginTimeout"
    assert failure["message"] == message
    assert {k: failure[k] for k in ("Host", "Plugin", "PluginInstance", "Type",
                                    "TypeInstance")} == {
        "Host": "poller-1", "Plugin": "dcdn", "PluginInstance": A, "Type": "task",
        "TypeInstance": "file"}
    # collectd's network protocol carries no notification meta data: the
    # task's fields (task_id, ...) stay at the poller; the centre marks
    # what it received.
    assert failure["network:received"] == "true"
    assert not {"task_id", "object_path", "status", "account"} & failure.keys()
    # The centre logs it exactly as the poller did.
    line = re.compile(r"Notification: severity = FAILURE, .*")
    at_edge = [line.search(l).group(0) for l in edge.log_lines("Notification: severity")]
    at_centre = [line.search(l).group(0) for l in centre.log_lines("Notification: severity")]
    assert len(at_edge) == 1 and message in at_edge[0]
    assert at_centre == at_edge
    assert "host = poller-1" in at_centre[0]

    path = lambda ti, t="count": graphite_path("poller-1", A, t, ti)  # noqa: E731
    expected = {path(f"file-{s}"): n for s, n in
                [("pending", 0), ("refreshing", 0), ("complete", 2), ("failed", 2)]}
    expected.update({path("preload-pending"): 1, path("preload-complete"): 0,
                     path("directory-complete"): 0, path("regex-failed"): 0,
                     path("file-failed", "total_operations"): 2,
                     path("file-completed", "total_operations"): 2,
                     path("preload-progress", "percent"): 0})
    carbon.wait_for_paths(expected, timeout=20)
    wait_for_values(lambda: carbon.latest(expected), expected, timeout=15,
                    what="the poller's values in carbon")
    assert "poller-1.dcdn-a_example_com.count-file-failed" in expected
    # Only the poller's series: the centre adds none of its own.
    assert {p.split(".")[0] for p in carbon.paths()} == {"poller-1"}
    assert {p.split(".")[1] for p in carbon.paths()} == {"dcdn-a_example_com", "dcdn-prod"}
    assert len(failures()) == 1
    assert edge.alive() and centre.alive()
    assert not edge.log_lines("[error]") and not centre.log_lines("[error]")
