"""Trustworthy numbers: regressions of the issue of that name, each with the
real collectd against the simulator. Independent cases run as accounts of
one collectd (each with its own key, domains and tasks); each test's
docstring states the rule it holds the plugin to."""

import json
import math
import os
import pathlib
import subprocess
import time
import types

import pytest

from accounts import account_block
from harness import COLLECTD, ROOT, Collectd, NotificationSink, Simulator, collectd_env, wait_for

LIST = "DescribeDcdnRefreshTasks"
BY_ID = "DescribeDcdnRefreshTaskById"
QUOTA = "DescribeDcdnRefreshQuota"
SECRET = "testsecret"
RETRIES = 4  # attempts per call: a fault this many times fails the call
HISTORY = 259200  # the API's three days
MARGIN = 300  # the plugin keeps this far inside them


def domain(name):
    return f"{name}.example.com"


def key(name):
    return f"key-{name}"


def generated(domains, count, id_start, created_from, created_to, owner, **more):
    return {"count": count, "domains": list(domains), "types": ["file"],
            "created_from": created_from, "created_to": created_to, "id_start": id_start,
            "key": key(owner), **more}


def in_flight(task_id, host, created, final_after, owner, final="Complete", typ="file",
              description=None, **more):
    """A task that stays Refreshing until final_after s after its creation."""
    end = {"after": final_after, "status": final}
    if description:
        end["description"] = description
    return {"id": str(task_id), "path": f"http://{host}/r/{task_id}", "type": typ,
            "created": created, "key": key(owner),
            "states": [{"after": 0, "status": "Refreshing", "process": "40%"}, end], **more}


def finished(task_id, host, created, owner, status="Complete", **more):
    return {"id": str(task_id), "path": f"http://{host}/f/{task_id}", "type": "file",
            "created": created, "key": key(owner),
            "states": [{"after": 0, "status": status}], **more}


def file_only(*names):
    return [(domain(n), ["file"]) for n in names]


def api_time(epoch, fraction=""):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + fraction + "Z"


class Group:
    """Simulators and one collectd, each account on a key of its own."""

    def __init__(self, workdir):
        self.workdir = pathlib.Path(workdir)
        self.sims = {}
        self.recorded = {}  # simulator name: it, even stopped (its record stays)
        self.daemon = None
        self.launched = {}  # simulator name: time.time() just before it started

    def simulator(self, name, **kwargs):
        directory = self.workdir / f"sim-{name}"
        directory.mkdir()
        self.launched[name] = time.time()
        sim = Simulator(directory, **kwargs)
        self.sims[name] = sim
        self.recorded[name] = sim
        return sim

    def start(self, blocks, extra_config=""):
        directory = self.workdir / "collectd"
        directory.mkdir()
        self.daemon = Collectd(directory, "\n".join(blocks),
                               extra_config="ReadThreads 12\n" + extra_config)
        self.daemon.config_path.chmod(0o600)  # no warning about its secrets
        self.daemon.start()
        return self.daemon

    def settle(self, done, timeout):
        """Waits until done() or collectd died or the timeout: each test then
        asserts its own case, so that one broken case fails only its test."""
        deadline = time.monotonic() + timeout
        while not done() and self.daemon.alive() and time.monotonic() < deadline:
            time.sleep(0.5)

    def calls(self, sim, owner, action=None):
        return [r for r in self.recorded[sim].records(action) if r["key"] == key(owner)]

    def lines(self, account, level=None):
        tag = f"[{level}] " if level else ""
        return [l for l in self.daemon.log().splitlines()
                if f'{tag}dcdn plugin: account "{account}"' in l]

    def stop(self):
        """Stops everything once; the files the tests read stay."""
        if self.daemon is not None:
            self.daemon.stop()
        for name in list(self.sims):
            assert self.sims.pop(name).stop() == 0, f"simulator {name} did not exit cleanly"


@pytest.fixture
def group(tmp_path):
    g = Group(tmp_path)
    yield g
    g.stop()


# -- 1: foreign tasks of DomainName answers -------------------------------------

def test_foreign_tasks_listed_under_a_domain_count_for_their_own(group):
    """An answer to a DomainName query may list tasks of another host
    (listed_under, as the service lists a wildcard domain's tasks). In
    domain mode (QueryMode "domain", or "auto" after the switch, with
    Domain "*" beside named domains) collectd stays alive; a foreign task of
    a configured domain counts once, for its own domain; one of a domain the
    configuration does not name is not counted (Domain "*" is not served
    domain by domain)."""
    tasks = []
    for owner, n in (("crash-auto", 1), ("crash-domain", 2)):
        a, b, c = domain(f"a{n}"), domain(f"b{n}"), domain(f"c{n}")
        tasks += [finished(f"{n}001", a, -300, owner), finished(f"{n}002", a, -200, owner),
                  finished(f"{n}003", b, -250, owner),
                  finished(f"{n}101", b, -150, owner, listed_under=[a]),
                  finished(f"{n}102", c, -100, owner, listed_under=[a])]
    sim = group.simulator("main", scenario={"tasks": tasks},
                          credentials=[f"{key('crash-auto')}:{SECRET}",
                                       f"{key('crash-domain')}:{SECRET}"],
                          args=["--ram-domains",
                                f"{key('crash-auto')}={domain('a1')},{domain('b1')}"])
    daemon = group.start([
        account_block("crash-auto", sim, key=key("crash-auto"), secret=SECRET,
                      domains=["*", domain("a1"), domain("b1")], extra="CollectQuota false"),
        account_block("crash-domain", sim, key=key("crash-domain"), secret=SECRET,
                      domains=[domain("a2"), domain("b2")],
                      extra='QueryMode "domain"\nCollectQuota false')])
    expected = {f"dcdn-{domain(d)}/count-file-complete": 2.0 for d in ("a1", "b1", "a2", "b2")}

    def counted():
        values = daemon.values()
        return all(values.get(s) == v for s, v in expected.items()) or not daemon.alive()

    wait_for(counted, timeout=30, what="the counts of both accounts")
    listed = [r for r in sim.records(LIST) if r["status"] == 200 and
              r["params"].get("DomainName") in (domain("a1"), domain("a2"))]
    assert listed, "the foreign tasks were served"
    time.sleep(3)  # several more polls that list them again
    assert daemon.alive(), "collectd died:\n" + daemon.log()[-2000:]
    values = daemon.values()
    for series, value in expected.items():
        assert values[series] == value, series
    assert not [s for s in values if s.startswith(("dcdn-c1.", "dcdn-c2."))]
    assert values["dcdn-crash-auto/count-tracked_tasks"] == 4
    assert values["dcdn-crash-domain/count-tracked_tasks"] == 4
    assert len([l for l in group.lines("crash-auto") if "querying domain by domain" in l]) == 1


# -- the main group: 3, 4, 7, 8, 11 (valid names), 12 ---------------------------

NAME_122 = "n" * 122
DOMAIN_127 = "a" * 63 + "." + "b" * 59 + ".com"
DOMAIN_128 = "a" * 63 + "." + "b" * 60 + ".com"
STARVE = {"starve-grant": ("a3g", "b3g", "c3g"), "starve-policy": ("a3p", "b3p", "c3p")}
IN_FLIGHT_DONE = 10  # s after zero, the tasks in flight of nobyid and policy end


def narrowed_policy(path, names):
    path.write_text(json.dumps({"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": ["dcdn:DescribeDcdnRefreshTasks"],
         "Resource": [f"acs:dcdn:*:*:domain/{domain(n)}" for n in names]},
        {"Effect": "Allow", "Action": ["dcdn:DescribeDcdnRefreshTaskById",
                                       "dcdn:DescribeDcdnRefreshQuota"],
         "Resource": ["*"]}]}))
    return path


def old_in_flight(owner, host, id_start):
    """120 finished tasks after three in flight that end IN_FLIGHT_DONE s
    after zero: looking them up (1 call) is cheaper than re-reading the
    three pages between them and the next window."""
    return ([in_flight(id_start + i, host, -1000 - i, 1000 + i + IN_FLIGHT_DONE, owner)
             for i in range(3)],
            [generated([host], 120, id_start + 100, -990, -60, owner)])


def main_scenario(launch):
    tasks, gen = [], []
    for owner, names in STARVE.items():
        gen.append(generated([domain(n) for n in names], 6, 30000 + len(gen) * 100,
                             -600, -60, owner))
    for owner, start in (("nobyid", 40000), ("policy", 41000)):
        t, g = old_in_flight(owner, domain(owner), start)
        tasks += t
        gen += g
    tasks += [finished(42000 + i, domain("noquota"), -100 * (i + 1), "noquota")
              for i in range(3)]
    u = domain("unreadable")
    tasks += [finished(8000 + i, u, -60 * (i + 1), "unreadable") for i in range(5)]
    tasks += [finished(8801, u, -330, "unreadable", raw={"Process": "N/A"}),
              finished(8802, u, -340, "unreadable",
                       raw={"CreationTime": api_time(int(launch) - 340, ".123")})]
    a12 = domain("nothing")
    tasks += [in_flight(12001, a12, -1000, 100000, "nothing"),
              in_flight(12002, domain("other12"), -1001, 100000, "nothing"),
              in_flight(12003, a12, -1002, 100000, "nothing", typ="directory")]
    gen.append(generated([a12], 100, 12100, -900, -60, "nothing"))
    gen.append(generated([domain("other12")], 60, 12300, -990, -60, "nothing",
                         states=[{"after": 0, "status": "Refreshing"}]))
    tasks += [finished(13000 + i, domain("firstpage"), -100 * (i + 1), "firstpage")
              for i in range(2)]
    lb = domain("lookback")
    tasks += [in_flight(7001, lb, -55, 66, "lookback"),
              in_flight(7002, lb, -55, 69, "lookback", final="Failed",
                        description="OriginTimeout"),
              finished(7003, lb, -54, "lookback", status="Failed")]
    tasks.append(finished(11000, DOMAIN_127, -100, NAME_122))
    faults = [{"kind": "status", "http": 503, "code": "ServiceUnavailable", "action": LIST,
               "key": key("firstpage"), "times": RETRIES}]
    return {"tasks": tasks, "generate": gen, "faults": faults}


MAIN_ACCOUNTS = {
    "starve-grant": dict(domains=file_only(*STARVE["starve-grant"]),
                         extra='QueryMode "domain"\nCollectQuota false'),
    "starve-policy": dict(domains=file_only(*STARVE["starve-policy"]),
                          extra="CollectQuota false"),
    "nobyid": dict(domains=file_only("nobyid"), extra="CollectQuota false"),
    "policy": dict(domains=file_only("policy")),
    "noquota": dict(domains=file_only("noquota")),
    "unreadable": dict(domains=file_only("unreadable"), extra="CollectQuota false"),
    "nothing": dict(domains=file_only("nothing"), extra="CollectQuota false"),
    "firstpage": dict(domains=file_only("firstpage"), extra="CollectQuota false"),
    "lookback": dict(domains=file_only("lookback"),
                     extra="Lookback 60\nStuckAfter 58\nCollectQuota false"),
    NAME_122: dict(domains=[(DOMAIN_127, ["file"])], extra="CollectQuota false"),
}


class Main(Group):
    def settled(self):
        v = self.daemon.values()
        done = lambda name, n: (v.get(f"dcdn-{domain(name)}/count-file-complete") == n and
                                v.get(f"dcdn-{domain(name)}/count-file-refreshing") == 0)
        refused = lambda owner, name: len(
            [r for r in self.calls("main", owner, LIST)
             if r["params"].get("DomainName") == domain(name) and r["status"] == 403])
        failures = [n for n in self.sink.notifications()
                    if n.get("task_id") == "7002" and n["Severity"] == "FAILURE"]
        okays = [n for n in self.sink.notifications()
                 if n.get("task_id") == "7001" and n["Severity"] == "OKAY"]
        return (all(refused(o, names[2]) >= 8 for o, names in STARVE.items())
                and done("nobyid", 123) and done("policy", 123)
                and v.get("dcdn-noquota/total_requests-calls", 0) >= 8
                and v.get(f"dcdn-{domain('unreadable')}/count-file-complete") == 6
                and len(self.calls("main", "nothing", BY_ID)) >= 3
                and v.get(f"dcdn-{domain('firstpage')}/count-file-complete") == 2
                and failures and okays
                and f"dcdn-{DOMAIN_127}/count-file-complete" in v)


@pytest.fixture(scope="module")
def main(tmp_path_factory):
    g = Main(tmp_path_factory.mktemp("trust"))
    g.sink = NotificationSink()
    try:
        policy = narrowed_policy(g.workdir / "narrowed.json", STARVE["starve-policy"][:2])
        keys = [key(name) for name in MAIN_ACCOUNTS]
        grant = ",".join(domain(n) for n in STARVE["starve-grant"][:2])
        args = ["--ram-domains", f"{key('starve-grant')}={grant}",
                "--ram-policy", f"{key('starve-policy')}={policy}",
                "--ram-deny", f"{key('nobyid')}={BY_ID}",
                "--ram-deny", f"{key('noquota')}={QUOTA}",
                "--ram-policy", f"{key('policy')}={ROOT / 'contrib' / 'ram-policy.json'}"]
        g.zero = int(time.time())
        sim = g.simulator("main", scenario=main_scenario(g.zero),
                          credentials=[f"{k}:{SECRET}" for k in keys], rate_limit=5,
                          args=args)
        g.start([account_block(name, sim, key=key(name), secret=SECRET, **spec)
                 for name, spec in MAIN_ACCOUNTS.items()], extra_config=g.sink.config())
        g.settle(g.settled, timeout=50)
        time.sleep(1.5)  # the last notifications reach the sink
        g.alive = g.daemon.alive()
        g.stop()  # what the tests read stays: the log, the CSV, the record
        yield g
    finally:
        g.stop()
        g.sink.remove()


def test_main_group_collectd_stays_alive(main):
    assert main.alive, main.daemon.log()[-3000:]
    assert not main.daemon.log_lines("AddressSanitizer")


@pytest.mark.parametrize("owner", list(STARVE))
def test_domain_mode_one_refused_domain_does_not_starve_the_others(main, owner):
    """Domain mode, one (domain, type) pair refused by RAM (a domain grant
    without it, or a policy narrowed to the other domains): every other
    pair's counts arrive and stay fresh (staleness small), the refused
    domain's staleness is unknown (NaN) or grows, and its failure is logged
    once, with the domain and the cause, over many intervals."""
    a, b, c = (domain(n) for n in STARVE[owner])
    daemon = main.daemon
    values = daemon.values()
    for d in (a, b):
        assert values[f"dcdn-{d}/count-file-complete"] == 2.0, d
        rows = daemon.rows(f"dcdn-{d}/duration-staleness")
        fresh = [v for _, v in rows[-8:]]
        assert len(fresh) == 8 and all(0 <= v <= 3 for v in fresh), (d, fresh)
    assert f"dcdn-{c}/count-file-complete" not in values
    stale = [v for _, v in daemon.rows(f"dcdn-{c}/duration-staleness")]
    assert all(math.isnan(v) for v in stale) or stale == sorted(stale), stale
    refused = [r for r in main.calls("main", owner, LIST)
               if r["params"].get("DomainName") == c]
    assert len(refused) >= 8 and all(r["code"] == "Forbidden.RAM" for r in refused)
    logged = [l for l in main.lines(owner) if c in l]
    assert len(logged) == 1, logged
    assert "Forbidden.RAM" in logged[0] and "file" in logged[0]
    assert not [l for l in main.lines(owner, "error") if c not in l]


def test_auto_switches_on_a_policy_narrowed_to_some_domains(main):
    """A policy narrowed to some domains refuses the account-wide list:
    QueryMode auto switches to domain mode, once."""
    assert len([l for l in main.lines("starve-policy") if "querying domain by domain" in l]) == 1
    wide = [r for r in main.calls("main", "starve-policy", LIST)
            if "DomainName" not in r["params"]]
    assert len(wide) == 1 and wide[0]["code"] == "Forbidden.RAM"


def test_a_key_refused_lookups_by_id_refreshes_by_rescanning(main):
    """--ram-deny of DescribeDcdnRefreshTaskById in auto mode: the account
    stays in account mode (no switch), one warning says by-id is refused,
    and the tasks in flight, which end during the test, reach their final
    counts, refreshed by re-scanning."""
    lines = main.lines("nobyid")
    assert not [l for l in lines if "querying domain by domain" in l]
    warned = [l for l in lines if BY_ID in l]
    assert len(warned) == 1 and "[warning]" in warned[0], warned
    assert not main.lines("nobyid", "error")
    by_id = main.calls("main", "nobyid", BY_ID)
    assert len(by_id) == 1 and by_id[0]["code"] == "Forbidden.RAM"
    lists = main.calls("main", "nobyid", LIST)
    assert all("DomainName" not in r["params"] for r in lists)
    after = [r for r in lists if r["t"] > by_id[0]["t"]]
    oldest = api_time(main.zero - 1000)
    assert any(r["params"]["StartTime"] <= oldest for r in after), \
        "a re-scan reached back to the tasks in flight"
    values = main.daemon.values()
    assert values[f"dcdn-{domain('nobyid')}/count-file-complete"] == 123.0
    assert values[f"dcdn-{domain('nobyid')}/count-file-refreshing"] == 0.0
    assert values[f"dcdn-{domain('nobyid')}/total_operations-file-completed"] >= 3.0


def test_a_key_refused_the_quota_stops_asking(main):
    """--ram-deny of DescribeDcdnRefreshQuota: one warning, the quota is not
    asked for again, everything else works."""
    warned = [l for l in main.lines("noquota") if QUOTA in l]
    assert len(warned) == 1 and "[warning]" in warned[0], warned
    assert not main.lines("noquota", "error")
    quota = main.calls("main", "noquota", QUOTA)
    assert len(quota) == 1 and quota[0]["code"] == "Forbidden.RAM"
    values = main.daemon.values()
    assert values["dcdn-noquota/total_requests-calls"] >= 8, "many polls, one quota call"
    assert values[f"dcdn-{domain('noquota')}/count-file-complete"] == 3.0
    assert not [s for s in values if s.startswith("dcdn-noquota/count-quota")]
    assert not [l for l in main.lines("noquota") if "querying domain by domain" in l]


def test_the_shipped_ram_policy_answers_all_three_actions(main):
    """contrib/ram-policy.json as the key's policy: all three actions are
    answered, nothing is refused, everything is counted."""
    calls = main.calls("main", "policy")
    for action in (LIST, BY_ID, QUOTA):
        mine = [r for r in calls if r["action"] == action]
        assert mine and all(r["status"] == 200 for r in mine), action
    assert not main.lines("policy", "error") and not main.lines("policy", "warning")
    values = main.daemon.values()
    assert values[f"dcdn-{domain('policy')}/count-file-complete"] == 123.0
    assert values[f"dcdn-{domain('policy')}/count-file-refreshing"] == 0.0
    assert values["dcdn-policy/count-quota-url"] == 10000


def test_tasks_in_flight_past_the_lookback_reach_their_end(main):
    """Lookback 60, tasks refreshing past 60 s that then complete or fail:
    the refreshing count and oldest_in_flight do not drop when they pass
    60 s; the failure's FAILURE arrives; the stuck WARNING, then the OKAY of
    the one that completes; the counters count both. A finished task that
    leaves the Lookback and is met again by a re-scan is not counted or
    notified again."""
    daemon = main.daemon
    lb = domain("lookback")
    completes = main.zero + 66 - 55
    refreshing = daemon.rows(f"dcdn-{lb}/count-file-refreshing")
    # Values are stamped when dispatched, after the poll's answers; the
    # simulator's zero is main.zero or a second later.
    before = [v for t, v in refreshing if t < completes - 0.5]
    assert [t for t, _ in refreshing if main.zero + 7 < t < completes - 0.5], \
        "values while both were past the Lookback and still refreshing"
    assert before and all(v == 2.0 for v in before), before
    assert refreshing[-1][1] == 0.0
    oldest = [v for t, v in daemon.rows(f"dcdn-{lb}/duration-file-oldest_in_flight")
              if t < completes - 0.5]
    assert oldest == sorted(oldest) and max(oldest) >= 60, oldest
    notes = [n for n in main.sink.notifications() if n.get("domain") == lb]
    by = lambda task, sev: [n for n in notes if n["task_id"] == task and n["Severity"] == sev]
    assert len(by("7002", "FAILURE")) == 1 and "OriginTimeout" in by("7002", "FAILURE")[0][
        "message"]
    assert len(by("7001", "WARNING")) == 1 and len(by("7001", "OKAY")) == 1
    assert len(by("7002", "WARNING")) == 1 and not by("7002", "OKAY")  # stuck, then failed
    assert float(by("7001", "WARNING")[0]["Time"]) < float(by("7001", "OKAY")[0]["Time"])
    assert not by("7003", "FAILURE"), "a failure of history is not notified"
    values = daemon.values()
    assert values[f"dcdn-{lb}/total_operations-file-completed"] == 1.0
    assert values[f"dcdn-{lb}/total_operations-file-failed"] == 2.0  # 7003 once, 7002
    assert values[f"dcdn-{lb}/count-file-complete"] == 0.0  # older than Lookback
    assert values[f"dcdn-{lb}/count-file-failed"] == 0.0


def test_one_unreadable_task_does_not_spoil_its_page(main):
    """A task whose Process cannot be read is skipped with one warning
    naming its TaskId and the field, and the rest of the page counts; a
    CreationTime with fractional seconds is simply counted."""
    lines = main.lines("unreadable")
    warned = [l for l in lines if "[warning]" in l]
    assert len(warned) == 1, warned
    assert "8801" in warned[0] and "Process" in warned[0]
    assert not [l for l in lines if "8802" in l or "[error]" in l]
    values = main.daemon.values()
    assert values[f"dcdn-{domain('unreadable')}/count-file-complete"] == 6.0
    assert values["dcdn-unreadable/count-tracked_tasks"] == 6


def test_an_account_name_of_122_and_a_domain_of_127_characters_work(main):
    """The longest names collectd can carry: an account of 122 characters
    (its read callback is "dcdn-" and the name) and a domain of 127
    (a plugin_instance)."""
    values = main.daemon.values()
    assert values[f"dcdn-{DOMAIN_127}/count-file-complete"] == 1.0
    assert f"dcdn-{NAME_122}/total_requests-calls" in values
    assert not main.lines(NAME_122, "error")


def test_no_call_for_tasks_nobody_reports(main):
    """Account mode, a domain reported with ObjectType "file" only: tasks in
    flight of an unreported domain and of an unreported type cost nothing:
    no DescribeDcdnRefreshTaskById names them and no window reaches back
    for them; the reported one is looked up."""
    by_id = main.calls("main", "nothing", BY_ID)
    named = {i for r in by_id for i in r["params"]["TaskId"].split(",")}
    assert named == {"12001"}, named
    lists = main.calls("main", "nothing", LIST)
    cold_end = lists[0]["params"]["EndTime"]
    later = [r for r in lists if r["params"]["EndTime"] != cold_end]
    assert len(later) >= 3
    reached = api_time(main.zero - 500)
    assert all(r["params"]["StartTime"] > reached for r in later), \
        [r["params"]["StartTime"] for r in later if r["params"]["StartTime"] <= reached]
    assert main.daemon.values()["dcdn-nothing/count-tracked_tasks"] == 101


def test_a_window_whose_first_page_failed_begins_again(main):
    """A window whose first page failed (every attempt of the call) begins
    again at the next interval, ending at the new now: the next list call's
    EndTime is later than the failed one's."""
    lists = main.calls("main", "firstpage", LIST)
    faulted = [r for r in lists if r["fault"]]
    assert len(faulted) == RETRIES
    assert len({r["params"]["EndTime"] for r in faulted}) == 1
    following = lists[RETRIES]
    assert following["fault"] is None and following["status"] == 200
    assert following["params"]["EndTime"] > faulted[0]["params"]["EndTime"]
    assert main.daemon.values()[f"dcdn-{domain('firstpage')}/count-file-complete"] == 2.0


# -- 5, 6: clocks and the three days --------------------------------------------

STEP_AT = 5  # real s after the forward simulator's start
STEP = 600
# The edge account's API: time runs faster than the real clock, 150 s more
# every 2 s (each step less than the plugin's 300 s margin, as time passes
# between two answers of a long scan), 600 s in all while its cold scan runs.
EDGE_STEPS = [{"from": 3 + 2 * i, "offset": 150 * (i + 1)} for i in range(4)]
EDGE_KEPT = 600  # tasks of the edge account that stay inside the three days (12 pages)
EDGE_LEAVING = 60  # its oldest, which leave them while the cold scan runs


@pytest.fixture(scope="module")
def clocks(tmp_path_factory):
    g = Group(tmp_path_factory.mktemp("clocks"))
    try:
        behind_tasks = [finished(6000 + i, domain("behind"), -100 * (i + 1), "behind")
                        for i in range(3)]
        behind_tasks += [finished(6100 + i, domain("behind"), 3 * (i + 1), "behind")
                         for i in range(3)]
        behind = g.simulator("behind", scenario={"tasks": behind_tasks},
                             credentials=[f"{key('behind')}:{SECRET}"],
                             args=["--clock-offset", "-120"])
        fwd = [finished(6200 + i, domain("forward"), -100 * (i + 1), "forward")
               for i in range(3)]
        # Created after the step, in the API's time.
        fwd += [finished(6300 + i, domain("forward"), STEP + STEP_AT + 1 + 3 * i, "forward")
                for i in range(3)]
        forward = g.simulator("forward",
                              scenario={"tasks": fwd,
                                        "clock": [{"from": STEP_AT, "offset": STEP}]},
                              credentials=[f"{key('forward')}:{SECRET}"])
        # Newest first: the leaving tasks are the last pages of the scan.
        edge_gen = [generated([domain("edge")], EDGE_KEPT, 500000, -HISTORY + 1200, -60, "edge"),
                    generated([domain("edge")], EDGE_LEAVING, 600000, -HISTORY + MARGIN + 50,
                              -HISTORY + MARGIN + 200, "edge")]
        edge = g.simulator("edge", scenario={"generate": edge_gen, "clock": EDGE_STEPS},
                           credentials=[f"{key('edge')}:{SECRET}"])
        g.start([
            account_block("behind", behind, key=key("behind"), secret=SECRET,
                          domains=file_only("behind"), extra="CollectQuota false"),
            account_block("forward", forward, key=key("forward"), secret=SECRET,
                          domains=file_only("forward"), extra="CollectQuota false"),
            account_block("edge", edge, key=key("edge"), secret=SECRET,
                          domains=file_only("edge"),
                          extra=f"Lookback {HISTORY}\nRateLimit 1\nCollectQuota false")])
        v = lambda name: g.daemon.values().get(f"dcdn-{domain(name)}/count-file-complete")
        g.settle(lambda: v("behind") == 6 and v("forward") == 6 and v("edge") == EDGE_KEPT
                 and time.time() > g.launched["forward"] + STEP_AT + 6
                 and time.time() > g.launched["edge"] + EDGE_STEPS[-1]["from"] + 3,
                 timeout=40)
        time.sleep(2)
        g.alive = g.daemon.alive()
        g.stop()
        yield g
    finally:
        g.stop()


def test_clock_group_collectd_stays_alive(clocks):
    assert clocks.alive, clocks.daemon.log()[-3000:]


def test_an_api_clock_behind_this_host(clocks):
    """The API's clock 120 s behind this host's (more than Interval + 30 s):
    windows follow the API's time, so no StartTime is in its future
    (InvalidStartTime.ValueNotSupported), the counts are right (tasks
    created during the run included), and one warning names the offset and
    NTP."""
    calls = clocks.calls("behind", "behind")
    assert len(calls) >= 5
    assert all(r["status"] == 200 for r in calls), [r["code"] for r in calls if r["code"]]
    assert clocks.daemon.values()[f"dcdn-{domain('behind')}/count-file-complete"] == 6.0
    warned = [l for l in clocks.lines("behind") if "NTP" in l]
    assert len(warned) == 1 and "[warning]" in warned[0], warned
    assert "120" in warned[0] or "119" in warned[0] or "121" in warned[0]
    assert not clocks.lines("behind", "error")


def test_an_api_clock_step_forward(clocks):
    """The API's clock steps 600 s forward during the run (what a host clock
    stepped back looks like): tasks created after the step are counted,
    and no staleness value is ever negative."""
    calls = clocks.calls("forward", "forward")
    assert all(r["status"] == 200 for r in calls), [r["code"] for r in calls if r["code"]]
    values = clocks.daemon.values()
    assert values[f"dcdn-{domain('forward')}/count-file-complete"] == 6.0
    for series in (f"dcdn-{domain('forward')}/duration-staleness",
                   "dcdn-forward/duration-staleness"):
        rows = [v for _, v in clocks.daemon.rows(series)]
        assert rows and all(math.isnan(v) or v >= 0 for v in rows), (series, rows)
        assert not math.isnan(rows[-1]) and rows[-1] <= 3
    assert not clocks.lines("forward", "error")


def test_a_cold_start_longer_than_the_margin_stays_inside_the_three_days(clocks):
    """Lookback 259200 and RateLimit 1: the cold scan takes several
    intervals, and the API's time moves on by more than the plugin's 300 s
    margin while it runs (the clock steps), so that its oldest tasks leave
    the three days: no page asks for time the API no longer keeps
    (InvalidTime), and the counts end equal to the tasks still inside the
    three days."""
    calls = clocks.calls("edge", "edge")
    assert all(r["status"] == 200 for r in calls), [r["code"] for r in calls if r["code"]]
    cold_end = calls[0]["params"]["EndTime"]
    cold = [r for r in calls if r["params"]["EndTime"] == cold_end]
    first, last = (clocks.launched["edge"] + EDGE_STEPS[i]["from"] for i in (0, -1))
    assert [r for r in cold if r["t"] < first] and [r for r in cold if r["t"] > last + 0.5], \
        ("the cold scan ran across the steps", [r["t"] - clocks.launched["edge"] for r in cold])
    values = clocks.daemon.values()
    assert values[f"dcdn-{domain('edge')}/count-file-complete"] == EDGE_KEPT
    assert values["dcdn-edge/count-tracked_tasks"] == EDGE_KEPT


# -- 9: collectd -T beside the daemon -------------------------------------------

def test_collectd_T_beside_a_running_daemon(tmp_path, start_simulator, notifications):
    """collectd -T beside a running daemon on the same StateDir exits 0, says
    once (info) that it neither saves the state nor notifies, leaves the
    daemon's state file alone, and sends no notification: the failure it
    sees is notified once, by the daemon."""
    task = in_flight(9001, domain("t9"), -5, 8, "t9", final="Failed",
                     description="OriginTimeout")
    launched = time.time()
    sim = start_simulator(scenario={"tasks": [task]}, credentials=[f"{key('t9')}:{SECRET}"])
    block = account_block("t9", sim, key=key("t9"), secret=SECRET, domains=file_only("t9"),
                          extra="Interval 8\nCollectQuota false")
    (tmp_path / "daemon").mkdir()
    (tmp_path / "check").mkdir()
    daemon = Collectd(tmp_path / "daemon", block, extra_config=notifications.config())
    daemon.config_path.chmod(0o600)
    check = Collectd(tmp_path / "check", block, extra_config=notifications.config())
    check.config_path.chmod(0o600)
    daemon.start()
    try:
        state = pathlib.Path(sim.workdir) / "state" / "t9.state"
        wait_for(state.exists, what="the daemon's first state file")
        time.sleep(max(0.0, launched + 4 - time.time()))  # the task has failed
        before = os.stat(state)
        content = state.read_bytes()
        calls_before = len(sim.records())
        code, log = check.test_config()
        after = os.stat(state)
        assert code == 0, log
        assert len(sim.records()) > calls_before, "-T polled"
        held = [l for l in check.log().splitlines() if "neither saves" in l]
        assert len(held) == 1 and "[info]" in held[0], check.log()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
        assert state.read_bytes() == content
        time.sleep(1)
        assert not notifications.notifications(), "-T sent a notification"
        wait_for(lambda: notifications.notifications(), timeout=15,
                 what="the daemon's FAILURE at its next poll")
        time.sleep(1.5)
        failures = [n for n in notifications.notifications() if n["Severity"] == "FAILURE"]
        assert [n["task_id"] for n in failures] == ["9001"]
        assert daemon.alive()
    finally:
        daemon.stop()


# -- 11: names too long ---------------------------------------------------------

@pytest.mark.parametrize("account, name, option", [
    ("n" * 123, "x.example.com", "Account"),
    ("names", DOMAIN_128, "Domain")])
def test_names_collectd_cannot_carry_are_refused(tmp_path, account, name, option):
    """An account name of 123 characters, or a domain of 128, is refused with
    a clear error that names the option and the 127 characters collectd's
    names hold; the plugin does not start (collectd -T exits non-zero)."""
    endpoint = types.SimpleNamespace(url="http://127.0.0.1:9", workdir=tmp_path)
    daemon = Collectd(tmp_path, account_block(account, endpoint, domains=[name]))
    daemon.config_path.chmod(0o600)
    code, _ = daemon.test_config()
    assert code != 0
    errors = [l for l in daemon.log().splitlines()
              if "[error] dcdn plugin: configuration error" in l]
    assert len(errors) == 1, daemon.log()
    assert option in errors[0] and "127" in errors[0], errors[0]


# -- review findings: the lock let go, the quota under a full budget, a clock
#    ahead of the margin ----------------------------------------------------

def test_a_daemon_started_beside_collectd_T_takes_the_state_over_when_T_exits(
        tmp_path, start_simulator, notifications):
    """A daemon that starts while collectd -T holds the account's state
    (its poll slowed here by an 8 s answer) is read-only only until -T
    exits: then it says once that it takes the state over, saves it, and a
    task that fails afterwards is notified once, by the daemon."""
    task = in_flight(9101, domain("tk"), 14, 2, "tk", final="Failed",
                     description="OriginTimeout")
    sim = start_simulator(scenario={"tasks": [task], "faults": [
        {"kind": "delay", "seconds": 8, "times": 1, "action": LIST}]},
        credentials=[f"{key('tk')}:{SECRET}"])
    block = account_block("tk", sim, key=key("tk"), secret=SECRET, domains=file_only("tk"),
                          extra="CollectQuota false")
    (tmp_path / "daemon").mkdir()
    (tmp_path / "check").mkdir()
    daemon = Collectd(tmp_path / "daemon", block, extra_config=notifications.config())
    check = Collectd(tmp_path / "check", block, extra_config=notifications.config())
    for c in (daemon, check):
        c.config_path.chmod(0o600)
    t_run = subprocess.Popen([COLLECTD, "-T", "-C", str(check.config_path)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=collectd_env())
    try:
        time.sleep(2)
        daemon.start()
        assert t_run.wait(30) == 0
        state = pathlib.Path(sim.workdir) / "state" / "tk.state"
        wait_for(lambda: [l for l in daemon.log().splitlines() if "is free again" in l],
                 timeout=15, what="the daemon taking the state over")
        mtime = state.stat().st_mtime_ns
        wait_for(lambda: state.stat().st_mtime_ns != mtime, timeout=10,
                 what="the daemon saving the state")
        wait_for(lambda: [n for n in notifications.notifications()
                          if n["Severity"] == "FAILURE"], timeout=25,
                 what="the FAILURE of the task that failed after -T exited")
        time.sleep(2)
        failures = [n for n in notifications.notifications() if n["Severity"] == "FAILURE"]
        assert [n["task_id"] for n in failures] == ["9101"]
        took = [l for l in daemon.log().splitlines() if "is free again" in l]
        assert len(took) == 1 and "[info]" in took[0], took
    finally:
        if t_run.poll() is None:
            t_run.kill()
        daemon.stop()


def test_the_quota_is_read_even_when_the_pairs_need_more_than_the_budget(
        tmp_path, start_simulator):
    """Domain mode with more (domain, type) pairs than one interval's calls:
    the quota's one call is kept out of the windows' share, so the quota is
    still reported every interval."""
    names = [f"q{i}" for i in range(4)]
    sim = start_simulator(scenario={"tasks": [finished(9200 + i, domain(n), -60, "qb")
                                              for i, n in enumerate(names)]},
                          credentials=[f"{key('qb')}:{SECRET}"])
    block = account_block("qb", sim, key=key("qb"), secret=SECRET,
                          domains=[domain(n) for n in names], extra='QueryMode "domain"')
    daemon = Collectd(tmp_path, block)
    daemon.config_path.chmod(0o600)
    daemon.start()
    try:
        wait_for(lambda: daemon.values().get("dcdn-qb/count-quota-url") is not None,
                 timeout=15, what="the quota in domain mode")
        time.sleep(3)
    finally:
        daemon.stop()
    quota_calls = [r for r in sim.records(QUOTA)]
    assert len(quota_calls) >= 3, "the quota is asked every interval"
    # 16 pairs against a budget of 4 calls an interval (RateLimit 5 x 1 s x
    # 80 %): the windows alone would take every call.
    lists = sim.records(LIST)
    assert len({(r["params"]["DomainName"], r["params"]["ObjectType"]) for r in lists}) > 4


def test_domain_mode_refused_pairs_outnumbering_the_budget_do_not_starve_the_granted(
        tmp_path, start_simulator):
    """Domain mode, a budget of 2 calls an interval (RateLimit 3 x 1 s x
    80 %) and three refused domains ahead of the one the key is granted
    (listed and named before it): once each refused pair has been tried,
    the granted domain is read at every poll (its staleness stays small),
    and the refused ones take turns with what is left (each is retried, its
    failure logged once)."""
    refused = [domain(n) for n in ("ra", "rb", "rc")]
    granted = domain("rd")
    sim = start_simulator(scenario={"tasks": [finished(9400, granted, -60, "rs")]},
                          credentials=[f"{key('rs')}:{SECRET}"],
                          args=["--ram-domains", f"{key('rs')}={granted}"])
    block = account_block("rs", sim, key=key("rs"), secret=SECRET,
                          domains=[(d, ["file"]) for d in refused + [granted]],
                          extra='QueryMode "domain"\nRateLimit 3\nInterval 1\n'
                                'CollectQuota false')
    daemon = Collectd(tmp_path, block)
    daemon.config_path.chmod(0o600)
    daemon.start()
    try:
        time.sleep(12)
    finally:
        daemon.stop()
    lists = sim.records(LIST)
    read = [r for r in lists if r["params"].get("DomainName") == granted]
    assert len(read) >= 8 and all(r["status"] == 200 for r in read), len(read)
    assert daemon.values()[f"dcdn-{granted}/count-file-complete"] == 1.0
    fresh = [v for _, v in daemon.rows(f"dcdn-{granted}/duration-staleness")[-6:]]
    assert len(fresh) == 6 and all(0 <= v <= 3 for v in fresh), fresh
    for d in refused:
        tried = [r for r in lists if r["params"].get("DomainName") == d]
        assert len(tried) >= 2 and all(r["code"] == "Forbidden.RAM" for r in tried), (d, tried)
        assert len([l for l in daemon.log_lines("[error]") if d in l]) == 1, d
    assert len(daemon.log_lines("[error]")) == len(refused)


@pytest.mark.parametrize("refused", ["every list", "one domain of two"])
def test_a_key_refused_every_list_fails_the_account(
        tmp_path, start_simulator, notifications, refused):
    """A key refused every list (--ram-deny of DescribeDcdnRefreshTasks,
    QueryMode auto, two domains) reads nothing: collectd -T exits
    non-zero, and the daemon sends the account's FAILURE (Forbidden.RAM)
    once. With one domain of the two refused, -T exits 0 and no FAILURE
    is sent: that domain's failure is its own."""
    names = [domain("dl1"), domain("dl2")]
    args = (["--ram-deny", f"{key('dl')}={LIST}"] if refused == "every list"
            else ["--ram-domains", f"{key('dl')}={names[0]}"])
    sim = start_simulator(scenario={"tasks": [finished(9500, names[0], -60, "dl")]},
                          credentials=[f"{key('dl')}:{SECRET}"], args=args)
    block = account_block("dl", sim, key=key("dl"), secret=SECRET, domains=file_only("dl1", "dl2"),
                          extra="Interval 2\nCollectQuota false")
    (tmp_path / "check").mkdir()
    (tmp_path / "daemon").mkdir()
    check = Collectd(tmp_path / "check", block, extra_config=notifications.config())
    check.config_path.chmod(0o600)
    code, log = check.test_config()
    daemon = Collectd(tmp_path / "daemon", block, extra_config=notifications.config())
    daemon.config_path.chmod(0o600)
    daemon.start()
    try:
        time.sleep(8)
    finally:
        daemon.stop()
    time.sleep(1)
    failures = [n for n in notifications.notifications() if n["Severity"] == "FAILURE"]
    if refused == "every list":
        assert code != 0, log
        assert len(failures) == 1 and "Forbidden.RAM" in failures[0]["message"], failures
        assert len(sim.records(LIST)) >= 6, "the daemon went on polling"
    else:
        assert code == 0, log
        assert not failures, [n["message"] for n in failures]
        assert daemon.values()[f"dcdn-{names[0]}/count-file-complete"] == 1.0


def test_an_api_clock_ahead_by_more_than_the_margin_costs_no_poll(tmp_path, start_simulator):
    """The API's clock 600 s ahead and Lookback 259200: the first page,
    planned on this host's clock before any answer, asks for time the API
    no longer keeps; its refusal's Date tells the API's time, and the page
    is planned again at once: no error line, counts from the first poll."""
    sim = start_simulator(scenario={"tasks": [finished(9300, domain("ck"), -7200, "ck")]},
                          credentials=[f"{key('ck')}:{SECRET}"],
                          args=["--clock-offset", "600"])
    block = account_block("ck", sim, key=key("ck"), secret=SECRET, domains=file_only("ck"),
                          extra="Lookback 259200\nCollectQuota false\nInterval 2")
    daemon = Collectd(tmp_path, block)
    daemon.config_path.chmod(0o600)
    daemon.start()
    try:
        wait_for(lambda: daemon.values().get(f"dcdn-{domain('ck')}/count-file-complete"),
                 timeout=15, what="the counts")
        time.sleep(1)
    finally:
        daemon.stop()
    assert not [l for l in daemon.log().splitlines() if "[error]" in l], daemon.log()
    refused = [r for r in sim.records(LIST) if r.get("code") == "InvalidTime"]
    assert len(refused) <= 1, refused
    first_rows = daemon.rows(f"dcdn-{domain('ck')}/count-file-complete")
    assert first_rows and first_rows[0][1] == 1.0


STEPPED_BACK = [{"from": 5, "offset": 500}, {"from": 11, "offset": -500}, {"from": 17, "offset": 0}]


def test_an_api_clock_stepped_forward_then_back_asks_no_future_start_time(tmp_path,
                                                                          start_simulator):
    """The API's clock steps 500 s forward, then 1000 s back, then forward
    to the real time, each while collectd polls every second. After the
    step back the windows, and the cursor's coverage, are ahead of the
    API's now: the first page after it, planned on the last Date before it,
    is refused as a future StartTime (nothing could have told the step),
    and the page planned again on the refusal's Date starts before now. No
    other page asks for a future StartTime, the poll does not fail (no
    error line), the counts are right and the staleness stays honest (never
    negative, never the step's size)."""
    tasks = [finished(9400, domain("st"), -60, "st"),
             in_flight(9401, domain("st"), 8, 3, "st")]
    sim = start_simulator(scenario={"tasks": tasks, "clock": STEPPED_BACK},
                          credentials=[f"{key('st')}:{SECRET}"])
    block = account_block("st", sim, key=key("st"), secret=SECRET, domains=file_only("st"),
                          extra="CollectQuota false\nInterval 1")
    daemon = Collectd(tmp_path, block)
    daemon.config_path.chmod(0o600)
    launched = time.time()
    daemon.start()
    try:
        wait_for(lambda: time.time() > launched + STEPPED_BACK[-1]["from"] + 4
                 and daemon.values().get(f"dcdn-{domain('st')}/count-file-complete") == 2.0,
                 timeout=40, what="the counts after the steps")
    finally:
        daemon.stop()
    assert not [l for l in daemon.log().splitlines() if "[error]" in l], daemon.log()
    lists = sim.records(LIST)
    refused = [i for i, r in enumerate(lists) if r["code"]]
    assert all(lists[i]["code"] == "InvalidStartTime.ValueNotSupported" for i in refused), \
        [lists[i]["code"] for i in refused]
    assert len(refused) <= 1, [(round(lists[i]["t"] - launched, 1), lists[i]["params"])
                               for i in refused]
    # The page planned again is answered, in the same poll.
    assert all(i + 1 < len(lists) and lists[i + 1]["status"] == 200
               and lists[i + 1]["t"] - lists[i]["t"] < 1 for i in refused)
    values = daemon.values()
    assert values[f"dcdn-{domain('st')}/count-file-complete"] == 2.0
    assert values[f"dcdn-{domain('st')}/count-file-refreshing"] == 0.0
    for series in (f"dcdn-{domain('st')}/duration-staleness", "dcdn-st/duration-staleness"):
        rows = [v for _, v in daemon.rows(series)]
        assert rows and all(math.isnan(v) or 0 <= v <= 5 for v in rows), (series, rows)
