"""The pipeline material in contrib/ cannot rot:

- every series a Grafana dashboard (contrib/grafana/) queries is one the
  plugin really produces: the real collectd runs the plugin against the
  simulator, the series are read from its CSV output, and every target
  (Graphite) and query (InfluxQL) of both dashboards is evaluated on them,
  with its template variables expanded, value by value;
- the Graphite paths assumed here are the ones write_graphite really sends,
  with the settings of contrib/conf.d/dcdn-graphite.conf;
- every collectd.conf.d snippet (contrib/conf.d/) loads and runs in the real
  collectd (`collectd -T`), pointed at the simulator and loopback ports, and
  the fleet pair (poller -> central) really forwards values and
  notifications.

The evaluators this needs live in t/lib: collectd_series (the series and
their Graphite paths and InfluxDB tags), grafana_templates, graphite_targets,
influxql, grafana_dashboards (a dashboard against the series),
carbon_capture (a line receiver for write_graphite) and conf_snippets (a
snippet rewritten to the test's ports and run in collectd)."""

import json
import math
import re
import socket
import subprocess

import pytest

from accounts import account_block
from carbon_capture import CarbonCapture
from collectd_series import produced_series
from conf_snippets import Endpoints, rewrite_snippet, run_test_mode, snippet_block, wrapper
from grafana_dashboards import (DASHBOARDS, check_dashboard, load, panels_of, queries_of,
                                resolve_variables)
from grafana_templates import variables_in
from harness import COLLECTD, ROOT, collectd_env, free_port, stop_pid, wait_for

CONFD = ROOT / "contrib" / "conf.d"
SNIPPETS = sorted(CONFD.glob("*.conf"))

TYPES = ["file", "directory", "regex", "preload"]
STATUSES = ["Pending", "Refreshing", "Complete", "Failed"]
# Domains as configured: one with every object type, one with two.
DOMAINS = {"www.example.com": TYPES, "img.example.com": ["file", "regex"]}
ACCOUNT = "prod"


# ---------------------------------------------------------------------------
# The scenario: every domain and object type has tasks in every status, tasks
# in flight for good, and tasks that complete or fail while collectd watches;
# two faults make error codes (one of them with a dot, which write_graphite
# escapes); the quota comes with every kind.

def build_scenario():
    tasks, n = [], 5000

    def task(domain, typ, created, states):
        nonlocal n
        n += 1
        tasks.append({"id": str(n), "path": f"http://{domain}/d/{n}", "type": typ,
                      "created": created, "states": states})

    for domain, types in DOMAINS.items():
        for typ in types:
            task(domain, typ, -900, [{"after": 0, "status": "Complete"}])
            task(domain, typ, -800, [{"after": 0, "status": "Failed",
                                      "description": "OriginTimeout"}])
            task(domain, typ, -700, [{"after": 0, "status": "Pending"}])
            task(domain, typ, -600, [{"after": 0, "status": "Refreshing", "process": "40%"}])
            # Seen in flight, then finished, while collectd watches.
            task(domain, typ, 3, [{"after": 0, "status": "Pending"},
                                  {"after": 1, "status": "Refreshing", "process": "60%"},
                                  {"after": 3, "status": "Complete"}])
            task(domain, typ, 3, [{"after": 0, "status": "Refreshing", "process": "30%"},
                                  {"after": 3, "status": "Failed",
                                   "description": "InternalError"}])
    # Tasks of a domain nobody configured: never reported.
    task("other.example.net", "file", -500, [{"after": 0, "status": "Failed"}])
    faults = [{"kind": "status", "http": 503, "code": "ServiceUnavailable",
               "action": "DescribeDcdnRefreshTasks", "from": 2, "times": 1},
              {"kind": "status", "http": 400, "code": "Throttling.User",
               "action": "DescribeDcdnRefreshTasks", "from": 4, "times": 1}]
    return {"tasks": tasks, "faults": faults}


def expected_variable_values(kind, series):
    """What each dashboard's variables must list for this scenario."""
    mangle = (lambda d: d.replace(".", "_")) if kind == "graphite" else (lambda d: d)
    return {"host": [series[0].host], "domain": sorted(mangle(d) for d in DOMAINS),
            "account": [ACCOUNT], "object_type": TYPES,
            "status": [s.lower() for s in STATUSES]}


# ---------------------------------------------------------------------------
# The dashboards against what the plugin really sends, through write_graphite
# as contrib/conf.d/dcdn-graphite.conf sets it up.

def test_dashboards_query_only_series_the_plugin_produces(start_simulator, start_collectd):
    scenario = build_scenario()
    sim = start_simulator(scenario=scenario)
    carbon = CarbonCapture()
    graphite_conf = snippet_block((CONFD / "dcdn-graphite.conf").read_text(), "write_graphite")
    graphite_conf = re.sub(r'Host "[^"]*"', 'Host "127.0.0.1"', graphite_conf)
    graphite_conf = re.sub(r'Port "[^"]*"', f'Port "{carbon.port}"', graphite_conf)
    graphite_conf = re.sub(r"FlushInterval \d+", "FlushInterval 1", graphite_conf)
    domains = [d if types == TYPES else (d, types) for d, types in DOMAINS.items()]
    try:
        daemon = start_collectd(account_block(ACCOUNT, sim, domains=domains,
                                              extra="StuckAfter 3600"),
                                extra_config=graphite_conf)

        def all_good():
            series = produced_series(daemon)
            return series and all(not check_dashboard(k, series)[0] for k in DASHBOARDS)

        try:
            wait_for(all_good, timeout=60, interval=1,
                     what="both dashboards to find every series they query")
        except AssertionError:
            pass  # the assertions below say what is missing
        daemon.stop()
        series = produced_series(daemon)
    finally:
        carbon.stop()

    problems = {kind: check_dashboard(kind, series)[0] for kind in DASHBOARDS}
    assert not any(problems.values()), "\n".join(
        f"{kind} dashboard: {p}" for kind, ps in problems.items() for p in ps)
    for kind in DASHBOARDS:
        _, shown = check_dashboard(kind, series)
        variables, _ = resolve_variables(load(kind), kind, series)
        assert {n: v["_values"] for n, v in variables.items()} == \
            expected_variable_values(kind, series), kind
        # Nothing the plugin sends is left off the dashboard.
        assert not {s.key for s in series} - shown, \
            f"{kind} dashboard shows none of {sorted({s.key for s in series} - shown)}"

    # The scenario covers what the dashboards show.
    keys = {s.key for s in series}
    for domain, types in DOMAINS.items():
        for typ in types:
            for status in STATUSES:
                assert f"dcdn-{domain}/count-{typ}-{status.lower()}" in keys
            for ti in ("completion_mean", "completion_max", "oldest_in_flight"):
                assert f"dcdn-{domain}/duration-{typ}-{ti}" in keys
            assert f"dcdn-{domain}/percent-{typ}-progress" in keys
    assert {f"dcdn-{ACCOUNT}/errors-ServiceUnavailable",
            f"dcdn-{ACCOUNT}/errors-Throttling.User"} <= keys
    assert not any("other.example.net" in k for k in keys)
    values = daemon.values()
    assert values[f"dcdn-{ACCOUNT}/total_requests-throttled"] >= 1
    assert values["dcdn-www.example.com/total_operations-file-failed"] >= 2

    # write_graphite, set up as the snippet says, sends exactly these paths,
    # and the counters raw (StoreRates false), as the dashboard expects.
    by_path = {s.graphite_path(): s for s in series}
    sent = carbon.paths()
    assert sent == set(by_path), (sorted(sent - set(by_path)), sorted(set(by_path) - sent))
    calls_path = next(p for p, s in by_path.items() if s.key.endswith("/total_requests-calls"))
    sent_calls = [float(line.split()[1]) for line in carbon.lines
                  if line.startswith(calls_path + " ")]
    raw = all(math.isfinite(v) and v.is_integer() for v in sent_calls) and \
        sent_calls == sorted(sent_calls) and \
        sent_calls[-1] == values[f"dcdn-{ACCOUNT}/total_requests-calls"]
    assert raw, f"write_graphite must send counters raw (StoreRates false): {sent_calls}"


# ---------------------------------------------------------------------------
# The dashboards as files: importable (inputs, schema), one data source.

@pytest.mark.parametrize("kind", sorted(DASHBOARDS))
def test_dashboard_is_importable(kind):
    d = load(kind)
    plugin = {"graphite": "graphite", "influxdb": "influxdb"}[kind]
    (inp,) = d["__inputs"]
    assert inp["type"] == "datasource" and inp["pluginId"] == plugin
    ds = {"type": plugin, "uid": "${%s}" % inp["name"]}
    assert 36 <= d["schemaVersion"] <= 41 and d["uid"] and d["title"] and d["id"] is None
    ids = [p["id"] for p in panels_of(d)]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for p in panels_of(d):
        grid = p["gridPos"]
        assert set(grid) == {"h", "w", "x", "y"} and grid["x"] + grid["w"] <= 24
        if p["type"] == "row":
            continue
        assert p["datasource"] == ds, p["title"]
        assert p["targets"], p["title"]
        for t in p["targets"]:
            assert t["datasource"] == ds, p["title"]
            if kind == "influxdb":
                assert t["rawQuery"] is True, p["title"]
        if "repeat" in p:
            assert p["repeat"] in {v["name"] for v in d["templating"]["list"]}
    names = [v["name"] for v in d["templating"]["list"]]
    assert "domain" in names and "account" in names
    for v in d["templating"]["list"]:
        if v["type"] == "query":
            assert v["datasource"] == ds, v["name"]
            # Variables may only use the ones defined before them.
            text = json.dumps(v["query"])
            assert variables_in(text) <= set(names[:names.index(v["name"])]), v["name"]
    for where, text in queries_of(d, kind):
        assert variables_in(text) <= set(names), where


def test_rates_come_from_the_derive_counters():
    """Counters are DERIVE: the dashboards take their rate, never plot
    them raw; gauges are never differentiated."""
    for where, text in queries_of(load("graphite"), "graphite"):
        counter = re.search(r"\.(total_operations|total_requests|errors)-", text)
        rate = re.search(r"\b(perSecond|nonNegativeDerivative)\(", text)
        assert bool(counter) == bool(rate), where
    for where, text in queries_of(load("influxdb"), "influxdb"):
        counter = re.search(r"\"type\" = '(total_operations|total_requests|errors)'", text)
        rate = "non_negative_derivative(" in text
        assert bool(counter) == bool(rate), where


# ---------------------------------------------------------------------------
# The collectd.conf.d snippets, in the real collectd.


# Warnings the rewriting itself causes (the simulator speaks plain http).
EXPECTED_WARNINGS = ("is plain http: requests will not be encrypted",)


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.name for s in SNIPPETS])
def test_snippet_runs_in_collectd(snippet, tmp_path, start_simulator):
    """collectd -T (config, init, one read of each plugin, then exit) on the
    snippet, rewritten to the test's simulator and loopback ports: exit 0,
    every plugin it loads loaded, no error line, and its writer really
    sends the plugin's values."""
    text = snippet.read_text()
    sim = start_simulator() if "LoadPlugin dcdn" in text else None
    carbon = CarbonCapture()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(5)
    try:
        ep = Endpoints(tmp_path, sim, carbon.port, udp.getsockname()[1], free_port())
        (tmp_path / "network-passwd").write_text("dcdn-poller: unused\n")
        (tmp_path / "network-passwd").chmod(0o600)
        code, log = run_test_mode(tmp_path, rewrite_snippet(text, ep, tmp_path / "state"))
        assert code == 0, log
        errors = [line for line in log.splitlines() if "[error]" in line]
        assert not errors, log
        warnings = [line for line in log.splitlines() if "[warning]" in line
                    and not any(w in line for w in EXPECTED_WARNINGS)]
        assert not warnings, log
        plugins = re.findall(r"(?m)^<?LoadPlugin (\w+)>?$", text)
        assert plugins, "a snippet loads what it needs"
        for plugin in plugins:
            assert f'plugin "{plugin}" successfully loaded' in log, (plugin, log)
        if sim:
            assert "dcdn plugin: version" in log and "polling 1 account(s)" in log, log
            assert sim.records("DescribeDcdnRefreshTasks"), "the one read called the API"
        if "write_graphite" in plugins and sim:
            carbon.stop()
            assert any(".dcdn-" in p for p in carbon.paths()), "write_graphite sent nothing"
        if re.search(r"<Server ", text):
            data, _ = udp.recvfrom(65536)
            assert data, "the network plugin sent nothing"
    finally:
        carbon.stop()
        udp.close()


def test_fleet_poller_forwards_values_and_notifications_to_central(tmp_path, start_simulator):
    """The two fleet snippets together, as real daemons: the poller's values
    and notifications reach the central collectd, signed and encrypted with
    the snippet's user and password, and the central one writes the values
    to Graphite under the poller's host name."""
    sim = start_simulator(scenario={"tasks": [
        {"id": "1", "path": "http://www.example.com/a", "type": "file", "created": -60},
        {"id": "2", "path": "http://www.example.com/b", "type": "file", "created": 2,
         "states": [{"after": 0, "status": "Refreshing"},
                    {"after": 1, "status": "Failed", "description": "OriginTimeout"}]}]})
    carbon = CarbonCapture()
    port = free_port()
    ep = Endpoints(tmp_path, sim, carbon.port, port, port)
    procs = []
    try:
        poller = rewrite_snippet((CONFD / "dcdn-fleet-poller.conf").read_text(), ep,
                                 tmp_path / "poller" / "state", fast=True)
        central = rewrite_snippet((CONFD / "dcdn-fleet-central.conf").read_text(), ep,
                                  tmp_path / "central" / "state", fast=True)
        (tmp_path / "network-passwd").chmod(0o600)
        csv = tmp_path / "central" / "csv"
        for name, snippet, extra in (
                ("central", central, f'LoadPlugin csv\n<Plugin csv>\n  DataDir "{csv}"\n</Plugin>'),
                ("poller", poller, "")):
            d = tmp_path / name
            d.mkdir()
            (d / "snippet.conf").write_text(snippet)
            (d / "collectd.conf").write_text(wrapper(f"dcdn-{name}", d, d / "snippet.conf",
                                                     extra))
            procs.append(subprocess.Popen([COLLECTD, "-f", "-C", str(d / "collectd.conf")],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          env=collectd_env()))
            log = d / "collectd.log"
            wait_for(lambda: log.exists() and "entering read-loop" in log.read_text(),
                     what=f"the {name} collectd to start")
        received = csv / "dcdn-poller"
        wait_for(lambda: list(received.glob("dcdn-www.example.com/count-file-failed-*")),
                 timeout=30, what="the poller's values at the central collectd")
        central_log = tmp_path / "central" / "collectd.log"
        wait_for(lambda: any("Notification: severity = FAILURE" in line and "task 2 " in line
                             for line in central_log.read_text().splitlines()),
                 timeout=30, what="the poller's FAILURE notification at the central collectd")
        assert list(received.glob("dcdn-prod/total_requests-calls-*"))
        wait_for(lambda: "dcdn-poller.dcdn-www_example_com.count-file-failed" in carbon.paths(),
                 timeout=30, what="the central collectd to write the poller's values to Graphite")
    finally:
        for proc in reversed(procs):
            stop_pid(proc)
        carbon.stop()
    for name in ("central", "poller"):
        log = (tmp_path / name / "collectd.log").read_text()
        assert not [line for line in log.splitlines() if "[error]" in line], f"{name}:\n{log}"
