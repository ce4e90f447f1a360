"""The planner with the real collectd and the simulator: incremental scans,
in-flight refresh, the budget, QueryMode, Domain "*", retries and the
self-monitoring values, with the rate limit checked on the simulator's
record."""

import math
import time

from accounts import account_block
from harness import max_calls_in_window, wait_for

LIST = "DescribeDcdnRefreshTasks"
BY_ID = "DescribeDcdnRefreshTaskById"


def finished(domain, count, start_id, created_from=-3000, created_to=-120, key=None):
    gen = {"count": count, "domains": [domain] if isinstance(domain, str) else domain,
           "created_from": created_from, "created_to": created_to, "id_start": start_id}
    if key:
        gen["key"] = key
    return gen


def api_time(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def calls_per_poll(records, gap=0.6):
    """Groups call arrival times into polls (bursts separated by gaps)."""
    polls, last = [], None
    for r in sorted(records, key=lambda r: r["t"]):
        if last is None or r["t"] - last > gap:
            polls.append([])
        polls[-1].append(r)
        last = r["t"]
    return polls


def test_rate_limit_holds_for_several_accounts_and_hundreds_of_domains(start_simulator,
                                                                       start_collectd):
    domains_a = [f"a{i}.example.com" for i in range(200)]
    domains_b = [f"b{i}.example.com" for i in range(200)]
    sim = start_simulator(
        scenario={"generate": [finished(domains_a, 800, 100000, key="testid"),
                               finished(domains_b, 800, 200000, key="key2")]},
        credentials=("testid:testsecret", "key2:secret2"))
    daemon = start_collectd(
        account_block("a", sim, domains=domains_a) + "\n" +
        account_block("b", sim, key="key2", secret="secret2", domains=domains_b))
    wait_for(lambda: daemon.values().get("dcdn-b199.example.com/count-preload-complete") == 1.0
             and daemon.values().get("dcdn-a199.example.com/count-preload-complete") == 1.0,
             timeout=40, what="both accounts' counts")
    time.sleep(2)
    daemon.stop()
    for key in ("testid", "key2"):
        arrivals = [r["t"] for r in sim.records() if r["key"] == key]
        assert len(arrivals) >= 16
        assert max_calls_in_window(arrivals) <= 5, key
    assert all(r["status"] == 200 for r in sim.records())
    values = daemon.values()
    assert values["dcdn-a0.example.com/count-file-complete"] == 1.0
    assert sum(v for k, v in values.items()
               if k.startswith("dcdn-b") and ".example.com/count-" in k) == 800
    assert values["dcdn-b/count-tracked_tasks"] == 800


def test_incremental_scans_fetch_no_finished_task_twice(start_simulator, start_collectd):
    # 200 finished tasks (4 pages), then a trickle of new ones.
    new = [{"id": str(9000 + i), "path": f"http://a.example.com/new/{i}", "type": "file",
            "created": 2 + 2 * i} for i in range(6)]
    sim = start_simulator(scenario={"generate": [finished("a.example.com", 200, 1000)],
                                    "tasks": new})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    wait_for(lambda: daemon.values().get("dcdn-a.example.com/count-file-complete") == 56.0,
             timeout=30, what="the new tasks to be counted")
    daemon.stop()
    lists = sim.records(LIST)
    cold = [r for r in lists if r["params"]["StartTime"] == lists[0]["params"]["StartTime"]]
    assert len(cold) == 4, "the cold start reads the 200 tasks in 4 pages"
    newest_finished = sim_start = lists[0]["t"]
    for r in lists[len(cold):]:
        start = r["params"]["StartTime"]
        assert start >= api_time(newest_finished - 120 + 1), \
            f"window {start} reaches back to finished tasks"
        assert r["params"]["PageNumber"] == "1"
    assert len(lists) - len(cold) >= 5
    assert not sim.records(BY_ID)
    assert sim_start


def test_in_flight_tasks_are_refreshed_by_id_when_that_is_cheaper(start_simulator,
                                                                   start_collectd):
    # Three tasks refreshing among 300 finished ones: looking them up (one
    # call) is cheaper than re-reading six pages.
    slow = [{"id": str(8000 + i), "path": f"http://a.example.com/slow/{i}", "type": "file",
             "created": -1000 - i,
             "states": [{"after": 0, "status": "Refreshing", "process": "30%"},
                        {"after": 1000 + i + 6, "status": "Complete"}]} for i in range(3)]
    sim = start_simulator(scenario={"generate": [finished("a.example.com", 300, 1000,
                                                          created_from=-3000,
                                                          created_to=-60)],
                                    "tasks": slow})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    wait_for(lambda: daemon.values().get("dcdn-a.example.com/count-file-refreshing") == 3.0,
             what="the refreshing tasks")
    wait_for(lambda: daemon.values().get("dcdn-a.example.com/count-file-refreshing") == 0.0,
             timeout=20, what="the refreshing tasks to complete")
    assert daemon.values()["dcdn-a.example.com/count-file-complete"] == 75.0 + 3.0
    by_id = sim.records(BY_ID)
    assert by_id and set(by_id[0]["params"]["TaskId"].split(",")) == {"8000", "8001", "8002"}
    lists = sim.records(LIST)
    assert len([r for r in lists if r["params"]["PageNumber"] != "1"]) == 6, \
        "only the cold start reads more than one page"


def test_auto_mode_switches_to_domain_queries_on_forbidden_ram(start_simulator,
                                                                start_collectd):
    sim = start_simulator(scenario={"generate": [finished(["a.example.com", "b.example.com"],
                                                          80, 1000)]},
                          args=["--ram-domains", "testid=a.example.com,b.example.com"])
    daemon = start_collectd(account_block("prod", sim,
                                          domains=["a.example.com", ("b.example.com", ["file"])]))
    wait_for(lambda: daemon.values().get("dcdn-b.example.com/count-file-complete") == 10.0,
             what="counts through domain queries")
    assert daemon.values()["dcdn-a.example.com/count-regex-complete"] == 10.0
    assert len(daemon.log_lines("querying domain by domain")) == 1
    assert not daemon.log_lines("[error]")
    forbidden = [r for r in sim.records(LIST) if r["code"] == "Forbidden.RAM"]
    assert len(forbidden) == 1 and "DomainName" not in forbidden[0]["params"]
    queried = {(r["params"].get("DomainName"), r["params"].get("ObjectType"))
               for r in sim.records(LIST) if r["status"] == 200}
    assert queried == {("a.example.com", t) for t in ("file", "directory", "regex", "preload")} \
        | {("b.example.com", "file")}


def test_domain_mode_without_permission_reports_the_error(start_simulator, start_collectd):
    sim = start_simulator(scenario={"generate": [finished("a.example.com", 10, 1000)]},
                          args=["--ram-domains", "testid=other.example.com"])
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"],
                                          extra='QueryMode "domain"'))
    line = wait_for(lambda: daemon.log_lines("[error]"), what="the error")[0]
    assert 'Code "Forbidden.RAM"' in line and 'account "prod"' in line


def test_a_cold_start_larger_than_the_budget_resumes_where_it_stopped(start_simulator,
                                                                       start_collectd):
    # RateLimit 1 and Interval 2: a budget of one call per interval, and
    # 150 tasks are 3 pages.
    sim = start_simulator(scenario={"generate": [finished("a.example.com", 150, 1000)]})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"],
                                          extra="RateLimit 1\nInterval 2"))
    staleness = wait_for(lambda: daemon.rows("dcdn-a.example.com/duration-staleness"),
                         what="staleness")
    assert "dcdn-a.example.com/count-file-complete" not in daemon.values()
    wait_for(lambda: daemon.values().get("dcdn-a.example.com/count-file-complete") == 38.0,
             timeout=30, what="the counts after three intervals")
    pages = [r["params"]["PageNumber"] for r in sim.records(LIST)][:3]
    assert pages == ["1", "2", "3"]
    windows = {(r["params"]["StartTime"], r["params"]["EndTime"]) for r in sim.records(LIST)[:3]}
    assert len(windows) == 1, "a resumed scan keeps its window"
    assert math.isnan(staleness[0][1]), "unknown until read completely once"
    wait_for(lambda: daemon.rows("dcdn-a.example.com/duration-staleness")[-1][1] <= 2.0,
             what="fresh numbers once the budget allows the next window")
    polls = calls_per_poll(sim.records(), gap=0.9)
    assert all(len(p) == 1 for p in polls[:3])


def test_5xx_and_throttling_are_retried_with_backoff(start_simulator, start_collectd):
    sim = start_simulator(
        scenario={"generate": [finished("a.example.com", 10, 1000)],
                  "faults": [{"kind": "status", "http": 503, "code": "ServiceUnavailable",
                              "times": 2},
                             {"kind": "status", "http": 400, "code": "Throttling.User",
                              "from": 4, "times": 1}]})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    wait_for(lambda: daemon.values().get("dcdn-prod/total_requests-throttled") == 1.0,
             timeout=20, what="the throttled answer to be counted")
    first = sim.records()[:3]
    assert [r["status"] for r in first] == [503, 503, 200]
    gaps = [b["t"] - a["t"] for a, b in zip(first, first[1:])]
    assert 0.1 <= gaps[0] and gaps[0] < gaps[1], f"backoff grows: {gaps}"
    values = daemon.values()
    assert values["dcdn-prod/errors-ServiceUnavailable"] == 2.0
    assert values["dcdn-prod/errors-Throttling.User"] == 1.0
    assert values["dcdn-a.example.com/count-file-complete"] == 3.0
    assert not daemon.log_lines("[error]"), "a retried success logs no error"


def test_wildcard_domain_reports_every_domain_in_the_tasks(start_simulator, start_collectd):
    sim = start_simulator(scenario={"generate": [finished(["x.example.com", "Y.example.org",
                                                           "z.example.net"], 24, 1000)]})
    daemon = start_collectd(account_block("prod", sim, domains=["*"]))
    wait_for(lambda: all(daemon.values().get(f"dcdn-{d}/count-file-complete") == 2.0
                         for d in ("x.example.com", "y.example.org", "z.example.net")),
             what="every domain")


def test_self_monitoring_values(start_simulator, start_collectd):
    sim = start_simulator(scenario={"generate": [finished("a.example.com", 120, 1000)]})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    wait_for(lambda: daemon.values().get("dcdn-prod/total_requests-calls", 0) >= 6,
             what="six calls")
    daemon.stop()
    values = daemon.values()
    # The values of a poll carry the time it ended, and the calls it made.
    ended, calls = daemon.rows("dcdn-prod/total_requests-calls")[-1]
    assert calls == len([r for r in sim.records() if r["t"] <= ended])
    assert values["dcdn-prod/total_requests-throttled"] == 0
    assert 0 < values["dcdn-prod/response_time-api"] < 1
    assert values["dcdn-prod/response_time-api_max"] >= values["dcdn-prod/response_time-api"]
    assert values["dcdn-prod/count-tracked_tasks"] == 120
    assert 0 < values["dcdn-prod/memory-tracked_tasks"] <= 128 * 120 + 64 * 8
    assert values["dcdn-prod/duration-staleness"] <= 2
    assert values["dcdn-a.example.com/duration-staleness"] <= 2


def test_a_used_nonce_is_retried_at_once_with_a_fresh_one(start_simulator, start_collectd):
    sim = start_simulator(scenario={
        "generate": [finished("a.example.com", 4, 1000)],
        "faults": [{"kind": "status", "http": 400, "code": "SignatureNonceUsed", "times": 1}]})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    wait_for(lambda: daemon.values().get("dcdn-a.example.com/count-file-complete") == 1.0,
             what="the counts")
    first, second = sim.records()[:2]
    assert first["code"] == "SignatureNonceUsed" and second["status"] == 200
    assert second["t"] - first["t"] < 0.2, "no backoff for a used nonce"
    assert not daemon.log_lines("[error]")


def test_domain_mode_refreshes_old_tasks_in_flight_by_id(start_simulator, start_collectd):
    slow = [{"id": str(8100 + i), "path": f"http://a.example.com/slow/{i}", "type": "file",
             "created": -1000 - i,
             "states": [{"after": 0, "status": "Refreshing", "process": "30%"},
                        {"after": 1000 + i + 4, "status": "Complete"}]} for i in range(3)]
    sim = start_simulator(scenario={"tasks": slow,
                                    "generate": [finished("a.example.com", 40, 1000)]})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"],
                                          extra='QueryMode "domain"'))
    wait_for(lambda: daemon.values().get("dcdn-a.example.com/count-file-refreshing") == 3.0,
             what="the refreshing tasks")
    wait_for(lambda: daemon.values().get("dcdn-a.example.com/count-file-refreshing") == 0.0,
             timeout=20, what="the refreshing tasks to complete")
    assert sim.records(BY_ID), "in-flight tasks older than the windows are looked up by id"
    assert all("DomainName" in r["params"] for r in sim.records(LIST))
