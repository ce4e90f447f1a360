"""The pipeline material in contrib/ cannot rot:

- every query of the Grafana dashboards for Graphite and InfluxDB
  (contrib/grafana/) returns, from the real query engine, exactly the
  series the scenario implies for the chosen product and nothing of the
  others: the real collectd runs the plugin (one DCDN, one CDN and one ESA
  account, ESA's domains on two sites) against the simulator and writes
  with write_graphite (set up as contrib/conf.d/dcdn-graphite.conf says)
  to the real carbon-cache, whose whisper files Debian's graphite-web
  serves through its render API, and with the network plugin to the real
  InfluxDB's collectd listener, asked through its /query API; each
  dashboard's variables are resolved by their own queries on the engine,
  for each product, and expanded value by value (Prometheus, the third
  dashboard, is proved the same way in test_prometheus.py);
- the Graphite paths are the ones write_graphite really sends, and the
  counters arrive raw;
- the three dashboards show the same panels with the same variables;
- every collectd.conf.d snippet (contrib/conf.d/) loads and runs in the real
  collectd (`collectd -T`), pointed at the simulator and loopback ports, and
  the fleet pair (poller -> central) really forwards values and
  notifications.

The helpers live in t/lib: grafana_scenario (the scenario and its run),
collectd_series (the series the plugin produced), grafana_engines (the
three engines as Grafana asks them), grafana_dashboards (a dashboard
against an engine), pipeline (the real servers), carbon_capture (a line
receiver for the snippet runs) and conf_snippets (a snippet rewritten to
the test's ports and run in collectd)."""

import json
import math
import re
import socket
import subprocess

import pytest

from carbon_capture import CarbonCapture
from collectd_series import produced_series
from conf_snippets import Endpoints, rewrite_snippet, run_test_mode, snippet_block, wrapper
from grafana_dashboards import (DASHBOARDS, check_dashboard, load, panels_of, queries_of,
                                resolve_variables, settings)
from grafana_engines import GraphiteEngine, InfluxEngine
from grafana_scenario import (ACCOUNTS, CACHETAGS, FILES_COMPLETE, PRODUCTS, SITE_QUOTA,
                              THROTTLED, expected_site_quota, expected_variable_values,
                              implied_keys, roles, start_run)
from grafana_templates import variables_in
from harness import COLLECTD, ROOT, collectd_env, free_port, stop_pid, wait_for
from pipeline import Carbon, GraphiteWeb, Influx, network_client_config, stop_all

CONFD = ROOT / "contrib" / "conf.d"
SNIPPETS = sorted(CONFD.glob("*.conf"))
COUNTERS = {"total_operations", "total_requests", "errors"}
PLUGIN_IDS = {"graphite": "graphite", "influxdb": "influxdb", "prometheus": "prometheus"}


# ---------------------------------------------------------------------------
# One run for the module: collectd with the plugin against the simulator,
# into carbon-cache (through write_graphite, as the snippet sets it up) and
# InfluxDB; graphite-web over carbon's whisper files.

def graphite_snippet_config(port):
    conf = snippet_block((CONFD / "dcdn-graphite.conf").read_text(), "write_graphite")
    conf = re.sub(r'Host "[^"]*"', 'Host "127.0.0.1"', conf)
    conf = re.sub(r'Port "[^"]*"', f'Port "{port}"', conf)
    return re.sub(r"FlushInterval \d+", "FlushInterval 1", conf)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("dashboards")
    started = []
    try:
        carbon = Carbon(workdir)
        started.append(carbon)
        influx = Influx(workdir)
        started.append(influx)
        web = GraphiteWeb(workdir, carbon)
        started.append(web)
        sim, daemon = start_run(workdir, graphite_snippet_config(carbon.port) +
                                network_client_config(influx.collectd_port))
        started += [sim, daemon]
        series = produced_series(daemon)
        carbon.wait_for_paths({s.graphite_path() for s in series})
        engines = {"graphite": GraphiteEngine(web), "influxdb": InfluxEngine(influx)}
        # Every series, and three points of each counter (a derivative
        # needs two); the completion times are sent once.
        counts = (f'SELECT count("value") FROM /^({"|".join(PRODUCTS)})_/ '
                  'WHERE time > now() - 10m GROUP BY *')
        wait_for(lambda: len([r for r in influx.http_query(counts)
                              if r["tags"]["type"] not in COUNTERS or r["values"][0][1] >= 3])
                 == len(series), timeout=20, interval=0.5,
                 what="InfluxDB to hold every series, and three points of each counter")
        yield {"daemon": daemon, "carbon": carbon, "series": series, "engines": engines}
    finally:
        stop_all(started)


@pytest.mark.parametrize("kind", ["graphite", "influxdb"])
def test_every_query_of_the_dashboard_returns_the_scenarios_series(run, kind):
    """For each product, every target of every panel, with every other
    variable at All and with each of its values alone, returns from the
    real engine exactly the series the scenario implies for that product
    (none of the others', nothing for an object type or a quota figure the
    product does not have), each with data; each target shows something
    for some product; the variables list what the scenario configured for
    the product; and nothing the plugin sends is left off."""
    series = run["series"]
    problems, shown = check_dashboard(kind, run["engines"][kind], series, roles())
    assert not problems, f"{kind} dashboard:\n" + "\n".join(problems)
    assert [f["product"] for f in settings(load(kind))] == PRODUCTS
    for fixed in settings(load(kind)):
        variables, _ = resolve_variables(load(kind), run["engines"][kind], fixed)
        assert {n: v["_values"] for n, v in variables.items()} == \
            expected_variable_values(kind, series, fixed["product"]), fixed
    assert not {s.key for s in series} - shown, \
        f"{kind} dashboard shows none of {sorted({s.key for s in series} - shown)}"


def test_the_scenario_covers_what_the_dashboards_show(run):
    """The three products' series, each account's tasks only (the tasks of
    one product on another's domains are not counted), nothing of an
    unconfigured domain (on ESA, one of a configured site's); ESA's cache
    tags count for the site's owner alone, and its quota is per site,
    under the site's owner (the site's own name, or its one configured
    domain)."""
    keys = {s.key for s in run["series"]}
    assert implied_keys() <= keys, sorted(implied_keys() - keys)
    assert {s.plugin for s in run["series"]} == set(PRODUCTS)
    assert not any("other.example.net" in k or "esa-shop.example.io/count-hostname" in k
                   for k in keys)
    instances = {p: {s.instance for s in run["series"] if s.plugin == p} for p in PRODUCTS}
    for i, product in enumerate(PRODUCTS):
        for other in PRODUCTS[i + 1:]:
            assert instances[product].isdisjoint(instances[other]), (product, other)
    values = run["daemon"].values()
    for product, (account, _) in ACCOUNTS.items():
        assert values[f"{product}-{account}/total_requests-throttled"] >= 1
        assert values[f"{product}-{account}/errors-{THROTTLED[product]}"] >= 1
    for domain, n in FILES_COMPLETE.items():
        assert values[f"{domain}/count-file-complete"] == n
        assert values[f"{domain}/total_operations-file-failed"] >= 2
    assert {k: values.get(k) for k in CACHETAGS} == CACHETAGS
    assert not [k for k in keys if "cachetag" in k and not k.startswith("esa-example.net/")]
    quota = {k: v for k, v in values.items()
             if k.startswith("esa-") and ("/count-quota-" in k or "/count-used-" in k)}
    assert quota == expected_site_quota()
    assert {s.instance for s in run["series"] if "used-" in s.type_instance} == set(SITE_QUOTA)
    assert not [k for k in keys if k.startswith("esa-") and "/count-remain-" in k]


def test_write_graphite_sends_the_paths_and_the_raw_counters(run):
    """write_graphite, set up as the snippet says, makes exactly these
    whisper files, and the counters arrive raw (StoreRates false), as the
    dashboard expects."""
    carbon, series = run["carbon"], run["series"]
    by_path = {s.graphite_path(): s for s in series}
    assert carbon.paths() == set(by_path), (sorted(carbon.paths() - set(by_path)),
                                            sorted(set(by_path) - carbon.paths()))
    assert {p.split(".")[1].partition("-")[0] for p in carbon.paths()} == set(PRODUCTS)
    key = f"cdn-{ACCOUNTS['cdn'][0]}/total_requests-calls"
    calls_path = next(p for p, s in by_path.items() if s.key == key)
    calls = run["daemon"].rows(key)
    stored = [v for _, v in carbon.fetch(calls_path)]
    raw = stored and all(math.isfinite(v) and v.is_integer() for v in stored) and \
        stored == sorted(stored) and set(stored) <= {v for _, v in calls}
    assert raw, f"write_graphite must send counters raw (StoreRates false): {stored}"


# ---------------------------------------------------------------------------
# The dashboards as files: importable (inputs, schema), one data source.

@pytest.mark.parametrize("kind", sorted(DASHBOARDS))
def test_dashboard_is_importable(kind):
    d = load(kind)
    plugin = PLUGIN_IDS[kind]
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
            if kind == "prometheus":
                assert t["legendFormat"] and t["editorMode"] == "code", p["title"]
        if "repeat" in p:
            assert p["repeat"] in {v["name"] for v in d["templating"]["list"]}
    names = [v["name"] for v in d["templating"]["list"]]
    assert "domain" in names and "account" in names
    # The product: one at a time, DCDN's by default, first (the others list its series).
    (product,) = [v for v in d["templating"]["list"] if not v["multi"]]
    assert names[0] == "product" == product["name"] and product["type"] == "custom"
    assert product["query"] == ",".join(PRODUCTS) and not product["includeAll"]
    assert product["current"]["value"] == "dcdn"
    assert [o["value"] for o in product["options"] if o["selected"]] == ["dcdn"]
    assert [o["value"] for o in product["options"]] == PRODUCTS
    for v in d["templating"]["list"]:
        if v["type"] == "query":
            assert v["datasource"] == ds, v["name"]
            # Variables may only use the ones defined before them.
            text = json.dumps(v["query"])
            assert variables_in(text) <= set(names[:names.index(v["name"])]), v["name"]
            assert "product" in variables_in(text), v["name"]
    for where, text in queries_of(d, kind):
        assert variables_in(text) <= set(names), where
        assert "product" in variables_in(text), where


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
    for where, text in queries_of(load("prometheus"), "prometheus"):
        counter = re.search(r"collectd_\$\{product\}_\w+_total\b", text)
        rate = re.search(r"\b(rate|increase)\(", text)
        assert bool(counter) == bool(rate), where


def test_the_three_dashboards_show_the_same_panels_and_variables():
    """Same rows, panels (title, type, place, repeat, unit, legend
    overrides, targets) and variables (name, type, label, multi, All)
    whatever the data source."""
    def shape(d):
        panels = [(p["title"], p["type"], p["gridPos"], p.get("repeat"),
                   p.get("fieldConfig", {}).get("defaults", {}).get("unit"),
                   json.dumps(p.get("fieldConfig", {}).get("overrides")),
                   [t["refId"] for t in p.get("targets", [])]) for p in panels_of(d)]
        variables = [(v["name"], v["type"], v["label"], v["multi"], v["includeAll"],
                      v["query"] if v["type"] == "custom" else None)
                     for v in d["templating"]["list"]]
        return panels, variables
    shapes = {kind: shape(load(kind)) for kind in DASHBOARDS}
    assert shapes["influxdb"] == shapes["graphite"]
    assert shapes["prometheus"] == shapes["graphite"]


# ---------------------------------------------------------------------------
# The collectd.conf.d snippets, in the real collectd.


# Warnings the rewriting itself causes (the simulator speaks plain http),
# and collectd -T's own: it stops the write threads right after the one
# read, and on a busy machine a writer may not have taken every value yet.
EXPECTED_WARNINGS = ("is plain http: requests will not be encrypted",
                     "value lists were left after shutting down the write threads")
# collectd 5.12's write_prometheus passes its logger to Debian 12's
# libmicrohttpd after other options, and libmicrohttpd says so through that
# very logger, at error level, once at start; the server listens all the
# same (test_prometheus.py scrapes it).
EXPECTED_ERRORS = ("write_prometheus plugin: MHD_OPTION_EXTERNAL_LOGGER is not the first "
                   "option specified",)


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
        # A write_prometheus snippet's Port gets a free port, not carbon's.
        port = free_port() if "write_prometheus" in text else carbon.port
        ep = Endpoints(tmp_path, sim, port, udp.getsockname()[1], free_port())
        (tmp_path / "network-passwd").write_text("dcdn-poller: unused\n")
        (tmp_path / "network-passwd").chmod(0o600)
        code, log = run_test_mode(tmp_path, rewrite_snippet(text, ep, tmp_path / "state"))
        assert code == 0, log
        errors = [line for line in log.splitlines() if "[error]" in line
                  and not any(e in line for e in EXPECTED_ERRORS)]
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
        if "write_prometheus" in plugins:
            assert f"write_prometheus plugin: Listening on [127.0.0.1]:{port}" in log, log
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
