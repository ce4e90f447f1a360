"""ESA (Edge Security Acceleration, API 2024-09-10) with the real collectd and
the simulator, as /work/briefs/esa-spec.md has it: an account with
`Product "esa"` whose domains are found on their sites (ListSites, or
`SiteId`), their tasks listed per site and type (DescribePurgeTasks with
SiteId and Type, DescribePreloadTasks with SiteId) in pages of 50, the
counts under collectd's plugin "esa" (esa-<domain>/count-<type>-<status>),
the quota per site (GetPurgeQuota: esa-<site>/count-quota-<type> and
count-used-<type>), FAILURE notifications of plugin "esa" for failures seen
after the cold start, one error line for a domain on no site, the
configurations refused, and the planner's calls per poll.

The scenario is contrib/scenarios/three-products.json (its ESA part: sites
example.net 1200000000001 and shop.example.io 1200000000002) with four
ESA tasks that fail while collectd watches."""

import bisect
import calendar
import collections
import json
import math
import re
import sys
import time

import pytest

from harness import ROOT, Collectd, NotificationSink, Simulator, wait_for

# contrib/dcdn_simulator is shipped whole (debian/rules): import it as it is
# and leave no __pycache__ beside it.
sys.dont_write_bytecode = True
sys.path.insert(0, str(ROOT / "contrib"))
from dcdn_simulator.scenario import load_scenario  # noqa: E402

SHIPPED = json.loads((ROOT / "contrib" / "scenarios" / "three-products.json").read_text())
NET, SHOP = 1200000000001, 1200000000002
ACCOUNT = "edge"
LOOKBACK = 7200         # the shipped ESA purges go back 90 minutes (the default 3600 would cut them)
# The plugin's ESA object types (ObjectType values, value names) and the API's Type for each.
TYPES = ("file", "directory", "cachetag", "ignore_params", "hostname", "purgeall", "preload")
API_TYPE = {t: t for t in TYPES} | {"ignore_params": "ignoreParams"}
PLUGIN_TYPE = {v: k for k, v in API_TYPE.items()}
PURGE_TYPES = TYPES[:-1]
STATUSES = ("pending", "refreshing", "complete", "failed")
API_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
LIST_ACTIONS = ("DescribePurgeTasks", "DescribePreloadTasks")


def failing(task_id, path, task_type, created, site=None):
    """An ESA task created while collectd runs: Refreshing, then Failed."""
    task = {"id": task_id, "product": "esa", "path": path, "type": task_type, "created": created,
            "states": [{"after": 0, "status": "Refreshing", "process": "30%"},
                       {"after": 1, "status": "Failed", "process": "30%", "description": "OriginTimeout"}]}
    if site is not None:
        task["site"] = site
    return task


# Failures that happen while collectd watches (6 s and more after the
# simulator's start, well after the cold start): each notified once, for
# its domain. A cache tag names no host: it counts for the site's own name.
NEWS = [failing("600001", "http://www.example.net/new/app.js", "file", 6),
        failing("600002", "tag-release-42", "cachetag", 7, NET),
        failing("600003", "http://static.example.net/new/intro.mp4", "preload", 6),
        failing("600004", "shop.example.io", "hostname", 8)]
NOTIFIED = {("www.example.net", "file", "600001"), ("example.net", "cachetag", "600002"),
            ("static.example.net", "preload", "600003"), ("shop.example.io", "hostname", "600004")}


def domain_block(name, types=None, site_id=None):
    lines = [f'<Domain "{name}">']
    if site_id is not None:
        lines.append(f"  SiteId {site_id}")
    if types is not None:
        lines.append("  ObjectType " + " ".join(f'"{t}"' for t in types))
    return "\n".join(lines + ["</Domain>"])


def esa_account(sim, domains, extra="", name=ACCOUNT):
    """An <Account> block as t/lib/accounts.py's account_block writes one
    (Endpoint: the simulator's URL, which with the simulator makes Region
    unused), with Product "esa" first. domains: `Domain "x"` lines or
    <Domain> blocks (domain_block)."""
    lines = [f'<Account "{name}">', '  Product "esa"', f'  Endpoint "{sim.url}"',
             f'  StateDir "{sim.workdir}/state"', '  AccessKeyId "testid"',
             '  AccessKeySecret "testsecret"', f"  Lookback {LOOKBACK}"]
    for text in [extra] + list(domains):
        lines += ["  " + line for line in text.splitlines()]
    return "\n".join(lines + ["</Account>"])


def expected_counts(doc, configured):
    """{series: count} for every configured (domain, type) and status, from
    the simulator's own model of the scenario: a task counts for the host of
    its Content (a bare host for hostname and purgeall), a cache tag for the
    domain that is its site's name, in the status it ends in."""
    scenario = load_scenario(doc, 0)
    site_name = {s.site_id: s.name for s in scenario.sites}
    counts = {f"esa-{d}/count-{t}-{s}": 0 for d, types in configured.items() for t in types for s in STATUSES}
    for task in scenario.tasks:
        if task.product != "esa" or task.created_at < -LOOKBACK:
            continue
        domain = site_name[task.site] if task.type == "cachetag" else task.domain
        series = f"esa-{domain}/count-{PLUGIN_TYPE[task.type]}-{task.states[-1].status.lower()}"
        if series in counts:
            counts[series] += 1
    return counts


def task_counts(values):
    """The values of the form esa-<domain>/count-<type>-<status>."""
    pattern = re.compile(r"esa-[^/]+/count-(\w+)-(pending|refreshing|complete|failed)")
    return {k: v for k, v in values.items() if (m := pattern.fullmatch(k)) and m.group(1) in TYPES}


def polls_of(daemon, records, account=ACCOUNT):
    """The simulator's records, poll by poll: each poll's values carry the
    time it ended (esa-<account>/total_requests-calls), so poll k is every
    call after poll k-1's end up to its own. Calls after the last end (a
    poll cut short by the stop) are left out."""
    ends = [t for t, _ in daemon.rows(f"esa-{account}/total_requests-calls")]
    polls = [[] for _ in ends]
    for r in sorted(records, key=lambda r: r["t"]):
        k = bisect.bisect_left(ends, r["t"])
        if k < len(ends):
            polls[k].append(r)
    return polls


def list_pair(r):
    """(SiteId, the plugin's type) of a DescribePurgeTasks or DescribePreloadTasks call."""
    p = r["params"]
    return int(p["SiteId"]), "preload" if r["action"] == "DescribePreloadTasks" else PLUGIN_TYPE.get(p.get("Type"))


def quota_pair(r):
    return int(r["params"]["SiteId"]), PLUGIN_TYPE.get(r["params"].get("Type"))


def api_epoch(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def config_error(log):
    lines = [line for line in log.splitlines() if "dcdn plugin: configuration error" in line]
    assert lines, log
    return lines[0]


# -- one account on both sites, every type ---------------------------------------------

# Each (site, type) pair belongs to one configured domain here, so that every
# list call is the one domain's: www.example.net the five purge types that
# name a host, example.net (the site's own name) the cache tags,
# static.example.net the prefetches, shop.example.io all seven (the default).
CONFIGURED = {
    "www.example.net": ("file", "directory", "ignore_params", "hostname", "purgeall"),
    "static.example.net": ("preload",),
    "example.net": ("cachetag",),
    "shop.example.io": TYPES,
}
LIST_PAIRS = collections.Counter(
    [(NET, t) for d in ("www.example.net", "static.example.net", "example.net") for t in CONFIGURED[d]]
    + [(SHOP, t) for t in TYPES])
QUOTA_PAIRS = collections.Counter([(site, t) for site, t in LIST_PAIRS if t != "preload"])
INTERVAL, RATE = 3, 20   # budget 0.8 x 20 x 3 = 48: a cold start (27 calls) fits one poll
BUDGET = int(0.8 * RATE * INTERVAL)
POLLS = 6


DOC = {**SHIPPED, "tasks": SHIPPED["tasks"] + NEWS}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("esa")
    doc = DOC
    want = expected_counts(doc, CONFIGURED)
    sim = Simulator(base, scenario=doc, rate_limit=RATE)
    sink = NotificationSink()
    config = esa_account(sim, [domain_block("www.example.net", CONFIGURED["www.example.net"]),
                               domain_block("static.example.net", ["preload"]),
                               domain_block("example.net", ["cachetag"]),
                               'Domain "shop.example.io"'],
                         extra=f"Interval {INTERVAL}\nRateLimit {RATE}")
    daemon = Collectd(base, config, extra_config=sink.config())
    daemon.config_path.chmod(0o600)
    try:
        try:
            daemon.start()
        except BaseException:
            sink.remove()
            raise
        failures = lambda: [n for n in sink.notifications() if n["Severity"] == "FAILURE"]  # noqa: E731
        # Wait for the end state; on a timeout each test still says what differs.
        try:
            wait_for(lambda: task_counts(daemon.values()) == want and len(failures()) >= len(NEWS)
                     and len(daemon.rows(f"esa-{ACCOUNT}/total_requests-calls")) >= POLLS,
                     timeout=60, what="the ESA counts, the failures and six polls")
        except AssertionError as err:
            print(err)
    finally:
        daemon.stop()
        sim.stop()
    yield daemon, sim, sink, want
    sink.remove()


def test_the_scenario_counts_are_what_its_comment_says():
    want = expected_counts(DOC, CONFIGURED)
    www = {t: {s: want[f"esa-www.example.net/count-{t}-{s}"] for s in ("complete", "failed")}
           for t in CONFIGURED["www.example.net"]}
    # Five of each purge type on example.net, one in four Failed; the news
    # adds one failed file task.
    assert www == {"file": {"complete": 5, "failed": 1}, "directory": {"complete": 3, "failed": 2},
                   "ignore_params": {"complete": 2, "failed": 3}, "hostname": {"complete": 5, "failed": 0},
                   "purgeall": {"complete": 3, "failed": 2}}
    assert want["esa-example.net/count-cachetag-complete"] == 5
    assert want["esa-example.net/count-cachetag-failed"] == 1
    assert want["esa-static.example.net/count-preload-complete"] == 5
    assert want["esa-shop.example.io/count-file-complete"] == 7
    assert want["esa-shop.example.io/count-file-refreshing"] == 1
    assert want["esa-shop.example.io/count-hostname-failed"] == 1


def test_every_count_of_every_type_is_the_scenarios(run):
    daemon, _, _, want = run
    values = daemon.values()
    assert task_counts(values) == {k: float(v) for k, v in want.items()}
    # Nothing under another product's name, no quota kind for prefetches.
    assert not [k for k in values if not k.startswith("esa-")]
    assert not [k for k in values if "count-quota-preload" in k or "count-used-preload" in k]
    assert values[f"esa-{ACCOUNT}/duration-staleness"] <= 2 * INTERVAL
    assert not daemon.log_lines("[error]")


def test_failures_after_the_cold_start_are_notified_as_esa(run):
    _, _, sink, _ = run
    failed = [n for n in sink.notifications() if n["Severity"] == "FAILURE"]
    # The scenario's history holds 8 failed tasks: found at the cold start,
    # they are counted, not notified.
    assert len(failed) == len(NEWS), [n["message"] for n in failed]
    assert {n["Plugin"] for n in failed} == {"esa"}
    assert {n["Type"] for n in failed} == {"task"}
    got = {(n["PluginInstance"], n["TypeInstance"],
            next((i for _, _, i in NOTIFIED if i in n["message"]), None)) for n in failed}
    assert got == NOTIFIED
    for n in failed:
        assert "ESA" in n["message"] and "OriginTimeout" in n["message"], n["message"]


def test_quota_per_site_and_purge_type(run):
    daemon, _, _, _ = run
    values = daemon.values()
    quota = {(site, t): (values.get(f"esa-{site}/count-quota-{t}"), values.get(f"esa-{site}/count-used-{t}"))
             for site in ("example.net", "shop.example.io") for t in PURGE_TYPES}
    assert quota[("example.net", "file")] == (5000, 120)
    assert quota[("example.net", "directory")] == (200, 5)
    # The simulator's defaults for the types the scenario leaves out.
    defaults = {"file": 10000, "cachetag": 1000, "directory": 1000, "ignore_params": 10000,
                "hostname": 100, "purgeall": 10}
    assert quota[("example.net", "cachetag")] == (1000, 0)
    assert quota[("example.net", "ignore_params")] == (10000, 0)
    assert quota[("example.net", "hostname")] == (100, 0)
    assert quota[("example.net", "purgeall")] == (10, 0)
    assert {t: quota[("shop.example.io", t)] for t in PURGE_TYPES} == {t: (q, 0) for t, q in defaults.items()}


def test_sites_are_found_with_list_sites_before_any_task_list(run):
    _, sim, _, _ = run
    records = sim.records()
    assert records and all(r["product"] == "esa" and r["status"] == 200 for r in records), \
        collections.Counter((r["action"], r["code"]) for r in records)
    assert records[0]["action"] == "ListSites"
    [found] = [r for r in records if r["action"] == "ListSites"]     # every site known at once
    assert found["params"].get("PageSize") == "500"
    assert set(r["action"] for r in records) == {"ListSites", "GetPurgeQuota"} | set(LIST_ACTIONS)
    # Each list names the site ListSites gave its domain, and a Type of the API's.
    lists = [r for r in records if r["action"] in LIST_ACTIONS]
    assert set(map(list_pair, lists)) == set(LIST_PAIRS)
    assert all("Type" not in r["params"] for r in lists if r["action"] == "DescribePreloadTasks")
    for r in lists:
        p = r["params"]
        assert p["PageSize"] == "50" and API_TIME.fullmatch(p["StartTime"]) and API_TIME.fullmatch(p["EndTime"]), p
    assert {quota_pair(r) for r in records if r["action"] == "GetPurgeQuota"} == set(QUOTA_PAIRS)


def test_the_cold_start_reads_every_pair_over_the_lookback(run):
    daemon, sim, _, _ = run
    cold = polls_of(daemon, sim.records())[0]
    lists = [r for r in cold if r["action"] in LIST_ACTIONS]
    # auto mode queries per domain from the first poll: every pair, one page each (none over 50).
    assert collections.Counter(map(list_pair, lists)) == LIST_PAIRS
    assert {r["params"]["PageNumber"] for r in lists} == {"1"}
    for r in lists:
        start, end = (api_epoch(r["params"][k]) for k in ("StartTime", "EndTime"))
        assert end - start >= LOOKBACK - 60, r["params"]
    # The quota calls take a quarter of what the budget has left at most (the
    # README): 11 of the 12 after ListSites, the last one at the next poll.
    quota = collections.Counter(quota_pair(r) for r in cold if r["action"] == "GetPurgeQuota")
    assert set(quota) <= set(QUOTA_PAIRS) and set(quota.values()) == {1}
    assert sum(quota.values()) == min(sum(QUOTA_PAIRS.values()), (BUDGET - 1) // 4)


def test_a_steady_poll_makes_one_list_call_per_pair_and_one_quota_call_per_site_and_type(run):
    """The minimum of a steady ESA poll here: every (site, type) pair's new
    tasks fit one page of 50, so one list call each (14), no lookup by id
    (ESA has none), no ListSites (every site known), and one GetPurgeQuota
    per site and purge type a domain of it reports (6 + 6; a quarter of the
    budget, 12, at most): 26 calls."""
    daemon, sim, _, _ = run
    assert sum(QUOTA_PAIRS.values()) <= BUDGET // 4
    polls = polls_of(daemon, sim.records())
    steady = polls[1:]
    assert len(steady) >= POLLS - 2, [len(p) for p in polls]
    cold_end = max(api_epoch(r["params"]["EndTime"]) for r in polls[0] if r["action"] in LIST_ACTIONS)
    for k, calls in enumerate(steady, 2):
        actions = collections.Counter(r["action"] for r in calls)
        lists = [r for r in calls if r["action"] in LIST_ACTIONS]
        assert collections.Counter(map(list_pair, lists)) == LIST_PAIRS, (k, actions)
        assert {r["params"]["PageNumber"] for r in lists} == {"1"}, k
        assert collections.Counter(quota_pair(r) for r in calls if r["action"] == "GetPurgeQuota") \
            == QUOTA_PAIRS, (k, actions)
        assert actions["ListSites"] == 0, k
        assert len(calls) == sum(LIST_PAIRS.values()) + sum(QUOTA_PAIRS.values()) == 26, (k, actions)
        for r in lists:
            start = api_epoch(r["params"]["StartTime"])
            if list_pair(r) == (SHOP, "file"):
                # Its task 520007 stays Refreshing (created 60 s before the
                # start): no lookup by id, so the window reaches back to it.
                assert start <= cold_end - 60, (k, r["params"])
            else:
                # Incremental: from the last window's end (less 30 s of
                # overlap), never the history again.
                assert start >= cold_end - 31, (k, r["params"])


def test_the_account_counts_its_calls(run):
    daemon, sim, _, _ = run
    ended, calls = daemon.rows(f"esa-{ACCOUNT}/total_requests-calls")[-1]
    assert calls == len([r for r in sim.records() if r["t"] <= ended])
    assert daemon.values()[f"esa-{ACCOUNT}/total_requests-throttled"] == 0


# -- SiteId, a domain on no site, two domains of one site ---------------------------------

def test_domains_with_a_site_id_need_no_list_sites(start_simulator, start_collectd):
    # ListSites refused: the key could not find a site, and need not.
    sim = start_simulator(scenario=SHIPPED, args=["--ram-deny", "testid=ListSites"])
    configured = {"www.example.net": ("file", "directory"), "shop.example.io": ("file",)}
    daemon = start_collectd(esa_account(sim, [
        domain_block("www.example.net", configured["www.example.net"], site_id=NET),     # a number
        domain_block("shop.example.io", ["file"], site_id=f'"{SHOP}"'),                   # a string
    ], extra='QueryMode "domain"\nInterval 2'))
    want = expected_counts(SHIPPED, configured)
    # Three quota figures, two a poll at most (a quarter of the budget of 8): in turn.
    quota = ("esa-www.example.net/count-quota-file", "esa-www.example.net/count-used-directory",
             "esa-shop.example.io/count-quota-file")
    wait_for(lambda: task_counts(v := daemon.values()) == want and all(q in v for q in quota),
             timeout=30, what="the counts and the quota by SiteId")
    daemon.stop()
    records = sim.records()
    assert not [r for r in records if r["action"] == "ListSites"]
    assert {list_pair(r) for r in records if r["action"] in LIST_ACTIONS} == \
        {(NET, "file"), (NET, "directory"), (SHOP, "file")}
    assert all(r["status"] == 200 for r in records)
    assert not daemon.log_lines("[error]")
    # A site's quota goes under its owner, its shortest configured domain
    # (the README; the spec said the site's name).
    values = daemon.values()
    assert values["esa-www.example.net/count-quota-file"] == 5000
    assert values["esa-www.example.net/count-used-directory"] == 5
    assert values["esa-shop.example.io/count-quota-file"] == 10000


def test_a_refused_list_sites_stops_only_the_domains_without_a_site_id(start_simulator, start_collectd):
    """The README: a refused ListSites gets one warning and is not asked
    again; only domains with a SiteId are read."""
    sim = start_simulator(scenario=SHIPPED, args=["--ram-deny", "testid=ListSites"])
    daemon = start_collectd(esa_account(sim, [domain_block("www.example.net", ["file"], site_id=NET),
                                              domain_block("shop.example.io", ["file"])],
                                        extra="Interval 1"))
    wait_for(lambda: daemon.values().get("esa-www.example.net/count-file-complete") == 5.0
             and len(daemon.rows(f"esa-{ACCOUNT}/total_requests-calls")) >= 3,
             timeout=30, what="www.example.net's counts and three polls")
    daemon.stop()
    refused = [r for r in sim.records() if r["action"] == "ListSites"]
    assert len(refused) == 1 and refused[0]["code"] == "Forbidden.RAM"
    warned = [line for line in daemon.log_lines("[warning]") if "ListSites" in line]
    assert len(warned) == 1 and f'"{ACCOUNT}"' in warned[0], daemon.log_lines("dcdn plugin")
    assert not daemon.log_lines("[error]")
    values = daemon.values()
    assert not [k for k in values if k.startswith("esa-shop.example.io/count-")]
    assert {list_pair(r) for r in sim.records() if r["action"] in LIST_ACTIONS} == {(NET, "file")}


def test_a_domain_on_no_site_gives_one_error_line_and_the_others_count(start_simulator, start_collectd):
    sim = start_simulator(scenario=SHIPPED)
    # notexample.net is not under example.net: a site holds a name at a label boundary.
    daemon = start_collectd(esa_account(sim, [domain_block("www.example.net", ["file"]),
                                              domain_block("notexample.net", ["file"])],
                                        extra="Interval 1"))
    wait_for(lambda: daemon.values().get("esa-www.example.net/count-file-complete") == 5.0
             and len(daemon.rows(f"esa-{ACCOUNT}/total_requests-calls")) >= 5,
             timeout=30, what="www.example.net's counts and five polls")
    daemon.stop()
    errors = [line for line in daemon.log_lines("[error]") if "notexample.net" in line]
    assert len(errors) == 1, daemon.log_lines("dcdn plugin")
    assert f'"{ACCOUNT}"' in errors[0] and "SiteId" in errors[0], errors[0]
    assert len(daemon.log_lines("[error]")) == 1, daemon.log_lines("[error]")
    values = daemon.values()
    assert not [k for k in values if k.startswith("esa-notexample.net/count-")]
    staleness = [v for _, v in daemon.rows("esa-notexample.net/duration-staleness")]
    assert staleness and (all(map(math.isnan, staleness)) or staleness[-1] > staleness[0]), staleness
    assert values["esa-www.example.net/duration-staleness"] <= 2
    # ListSites again at each poll while a domain's site is unknown.
    polls = polls_of(daemon, sim.records())
    assert [sum(r["action"] == "ListSites" for r in p) for p in polls] == [1] * len(polls)
    assert {list_pair(r) for r in sim.records() if r["action"] in LIST_ACTIONS} == {(NET, "file")}


def test_two_domains_of_one_site_each_count_their_own_tasks_once(start_simulator, start_collectd):
    scenario = {"sites": SHIPPED["sites"], "generate": [
        {"product": "esa", "count": 60, "domains": ["www.example.net"], "types": ["file"],
         "created_from": -3000, "created_to": -120, "id_start": 700000},
        {"product": "esa", "count": 4, "domains": ["static.example.net"], "types": ["file"],
         "created_from": -2000, "created_to": -200, "id_start": 710000},
        {"product": "esa", "count": 3, "domains": ["img.example.net"], "types": ["file"],
         "created_from": -2500, "created_to": -300, "id_start": 720000}]}
    sim = start_simulator(scenario=scenario)
    daemon = start_collectd(esa_account(sim, [domain_block("www.example.net", ["file"]),
                                              domain_block("static.example.net", ["file"])],
                                        extra="Interval 2"))
    wait_for(lambda: len(daemon.rows(f"esa-{ACCOUNT}/total_requests-calls")) >= 4,
             timeout=30, what="four polls")
    daemon.stop()
    values = daemon.values()
    # One site's answer holds both domains' tasks (64, 2 pages of 50) and
    # those of a domain not configured, which count nowhere.
    assert task_counts(values) == {**{f"esa-{d}/count-file-{s}": 0.0 for d in ("www.example.net", "static.example.net")
                                      for s in STATUSES},
                                   "esa-www.example.net/count-file-complete": 60.0,
                                   "esa-static.example.net/count-file-complete": 4.0}
    assert not [k for k in values if "img.example.net" in k]
    polls = polls_of(daemon, sim.records())
    # The cold start reads the site's file tasks in pages of 50: pages 1 and
    # 2, once per configured domain of the site at most.
    cold = sorted(int(r["params"]["PageNumber"]) for r in polls[0] if r["action"] == "DescribePurgeTasks")
    assert cold in ([1, 2], [1, 1, 2, 2]), cold
    for k, calls in enumerate(polls[1:], 2):
        lists = [r for r in calls if r["action"] == "DescribePurgeTasks"]
        assert 1 <= len(lists) <= 2 and {r["params"]["PageNumber"] for r in lists} == {"1"}, (k, lists)
        assert {list_pair(r) for r in lists} == {(NET, "file")}
        assert [quota_pair(r) for r in calls if r["action"] == "GetPurgeQuota"] == [(NET, "file")], k
        assert not [r for r in calls if r["action"] == "ListSites"], k
    # The site's quota under its owner, the shortest configured domain
    # (the README; the spec said the site's name, example.net, not configured here).
    assert values["esa-www.example.net/count-quota-file"] == 5000
    assert not [k for k in values if k.startswith("esa-example.net/")]
    assert not daemon.log_lines("[error]")


# -- configurations refused ----------------------------------------------------------------

@pytest.mark.parametrize("product, lines, names", [
    ("esa", ['Domain "*"'], ['Domain', '"*"']),
    ("esa", ['QueryMode "account"', 'Domain "www.example.net"'], ['option "QueryMode"', '"account"']),
    ("esa", [domain_block("www.example.net", ["file", "regex"])], ['option "ObjectType"', '"regex"', "esa"]),
    ("dcdn", [domain_block("www.example.com", ["file", "cachetag"])], ['option "ObjectType"', '"cachetag"', "dcdn"]),
    ("cdn", [domain_block("www.example.org", ["ignore_params"])], ['option "ObjectType"', '"ignore_params"', "cdn"]),
    ("dcdn", ['Region "cn-hangzhou"', 'Domain "www.example.com"'], ['option "Region"']),
    ("esa", ['Region "cn_hangzhou!"', 'Domain "www.example.net"'], ['option "Region"']),
    ("esa", ['Region "ap-southeast-1"', 'Endpoint "http://127.0.0.1:9"', 'Domain "www.example.net"'],
     ["Region", "Endpoint"]),
    ("dcdn", [domain_block("www.example.com", site_id=NET)], ['option "SiteId"']),
    ("esa", [domain_block("www.example.net", site_id=0)], ['option "SiteId"']),
    ("esa", [domain_block("www.example.net", site_id='"12000abc"')], ['option "SiteId"']),
    ("esa", [domain_block("www.example.net", site_id=1.5)], ['option "SiteId"']),
], ids=["wildcard-domain", "account-mode", "regex-on-esa", "cachetag-on-dcdn", "ignore_params-on-cdn",
        "region-on-dcdn", "bad-region", "region-and-endpoint", "siteid-on-dcdn", "siteid-zero",
        "siteid-not-a-number", "siteid-fraction"])
def test_configurations_esa_refuses(tmp_path, product, lines, names):
    body = [f'Product "{product}"', 'AccessKeyId "k"', 'AccessKeySecret "testsecret"'] + lines
    block = f'<Account "{ACCOUNT}">\n' + "\n".join("  " + l for text in body for l in text.splitlines()) + "\n</Account>"
    code, log = Collectd(tmp_path, block).test_config()
    assert code != 0, log
    line = config_error(log)
    assert f'Account "{ACCOUNT}"' in line and "[error] dcdn plugin: " in line, line
    # What the line says after "configuration error:" names the option (and the product).
    said = line.split("configuration error:", 1)[1]
    for name in names:
        assert name.lower() in said.lower(), (name, line)
    assert not list((tmp_path / "csv").glob("*/esa-*"))


# -- collectd -T ------------------------------------------------------------------------------

@pytest.mark.parametrize("secret, site_id, ok", [
    ("testsecret", None, True),
    ("wrongsecret", None, False),
    ("wrongsecret", NET, False)],
    ids=["good-key", "refused-at-list-sites", "refused-at-the-lists"])
def test_collectd_T_fails_when_the_polls_calls_fail(tmp_path, start_simulator, secret, site_id, ok):
    """As on DCDN (test_errors.py): collectd -T, the check before a
    restart, exits non-zero when the API refuses the key, whether the
    refused call is ListSites or a site's list (a domain with its SiteId);
    0 for a good key."""
    sim = start_simulator(scenario=SHIPPED)
    account = esa_account(sim, [domain_block("www.example.net", ["file"], site_id=site_id)])
    config = Collectd(tmp_path, account.replace('AccessKeySecret "testsecret"', f'AccessKeySecret "{secret}"'))
    config.config_path.chmod(0o600)
    code, log = config.test_config()
    assert sim.records(), "-T made a real poll"
    assert (code == 0) == ok, log


@pytest.mark.parametrize("site_id", [NET, None], ids=["refused-at-the-lists", "refused-at-list-sites"])
def test_a_refused_key_is_the_accounts_health_failure(start_simulator, start_collectd, notifications, site_id):
    sim = start_simulator(scenario=SHIPPED)
    account = esa_account(sim, [domain_block("www.example.net", ["file"], site_id=site_id)])
    daemon = start_collectd(account.replace('AccessKeySecret "testsecret"', 'AccessKeySecret "wrongsecret"'),
                            extra_config=notifications.config())
    wait_for(lambda: len(daemon.rows(f"esa-{ACCOUNT}/total_requests-calls")) >= 4, timeout=30,
             what="four polls")
    daemon.stop()
    health = [n for n in notifications.notifications()
              if n["Severity"] == "FAILURE" and n["TypeInstance"] == "health"]
    assert len(health) == 1, [n["message"] for n in notifications.notifications()]
    assert health[0]["Plugin"] == "esa" and health[0]["PluginInstance"] == ACCOUNT
    assert health[0]["message"].startswith(f'ESA account "{ACCOUNT}"') and "SignatureDoesNotMatch" in health[0]["message"]
