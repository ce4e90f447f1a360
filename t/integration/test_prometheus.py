"""Prometheus, for real: the real collectd runs the plugin against the
simulator (one DCDN, one CDN and one ESA account) with write_prometheus set
up as contrib/conf.d/dcdn-prometheus.conf says (on a free loopback port),
Debian's Prometheus scrapes it every second, and every PromQL query of
contrib/grafana/dcdn-prometheus.json, for each product, with its other
variables resolved by their own label_values() queries and expanded for
every value, returns through Prometheus's HTTP API exactly the series the
scenario implies for that product, and each legend names labels the series
has. One collectd, simulator and Prometheus run serves the whole module."""

import re
import time

import pytest

from collectd_series import produced_series
from grafana_dashboards import check_dashboard, load, resolve_variables, settings
from grafana_engines import PrometheusEngine
from grafana_scenario import (FILES_COMPLETE, PRODUCTS, domain_pairs, expected_variable_values,
                              roles, start_run)
from harness import ROOT, free_port, wait_for
from pipeline import Prometheus, stop_all

SNIPPET = ROOT / "contrib" / "conf.d" / "dcdn-prometheus.conf"
SELECTOR = '{job="collectd", __name__=~"collectd_(%s)_.+"}' % "|".join(PRODUCTS)
STATUS_TYPE = re.compile(r".+-(pending|refreshing|complete|failed)")


def write_prometheus_config(port):
    """The snippet's write_prometheus part, listening on 127.0.0.1:<port>."""
    m = re.search(r"^LoadPlugin write_prometheus\n<Plugin write_prometheus>\n.*?^</Plugin>\n",
                  SNIPPET.read_text(), re.S | re.M)
    assert m, "dcdn-prometheus.conf loads and sets up write_prometheus"
    block = re.sub(r'Host "[^"]*"', 'Host "127.0.0.1"', m.group(0))
    # A poll's completion times are sent once, stamped with the poll's end
    # (up to an interval before they are dispatched, more when a loaded
    # machine holds the read thread up), and write_prometheus drops a
    # series collectd's Timeout (intervals) after its value's time: as the
    # README advises, keep them long enough to be scraped, with room for a
    # loaded machine's late dispatches and missed scrapes.
    return re.sub(r'Port "[^"]*"', f'Port "{port}"', block) + "\nTimeout 30\n"


def queryable_at(prometheus, engine, series):
    """A time (now) at which every series can be queried as the dashboard
    queries it, or None: each one's latest sample is there for an instant
    query, and each counter has two samples at least in the rate() window
    ($__rate_interval)."""
    at = round(time.time(), 3)
    present = {tuple(sorted(s["metric"].items())) for s in prometheus.query(SELECTOR, at)}
    window = engine.builtins["__rate_interval"]
    samples = {tuple(sorted(s["metric"].items())): len(s["values"])
               for s in prometheus.samples(SELECTOR, window, at)}
    for s in series:
        ident = tuple(sorted(engine.identity(s).items()))
        if ident not in present or (engine.is_counter(s) and samples.get(ident, 0) < 2):
            return None
    return at


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("prometheus")
    port = free_port()
    started = []
    try:
        # Scraping from the start: Prometheus takes no sample older than its
        # first one, and the completion times are sent once, early.
        prometheus = Prometheus(workdir, port)
        started.append(prometheus)
        sim, daemon = start_run(workdir, write_prometheus_config(port))
        started += [sim, daemon]
        engine = PrometheusEngine(prometheus)
        series = produced_series(daemon)
        # Every series scraped, each counter twice in its rate() window,
        # all at one moment; every panel query is then evaluated at that
        # moment, as a dashboard shows one, so that a one-off series
        # (a completion time, an error code's first count) is judged
        # where it is on show, however long the checks take on a loaded
        # machine after it.
        engine.at = wait_for(lambda: queryable_at(prometheus, engine, series), timeout=30,
                             interval=0.5, what="Prometheus to hold every series (each counter "
                                                "twice in its rate() window) at one moment")
        yield daemon, prometheus, engine, series
    finally:
        stop_all(started)


def test_every_query_of_the_dashboard_returns_the_scenarios_series(run):
    daemon, prometheus, engine, series = run
    problems, shown = check_dashboard("prometheus", engine, series, roles())
    assert not problems, "\n".join(problems)
    assert [f["product"] for f in settings(load("prometheus"))] == PRODUCTS
    for fixed in settings(load("prometheus")):
        variables, _ = resolve_variables(load("prometheus"), engine, fixed)
        assert {n: v["_values"] for n, v in variables.items()} == \
            expected_variable_values("prometheus", series, fixed["product"]), fixed
    # Nothing the plugin sends is left off the dashboard.
    assert not {s.key for s in series} - shown, sorted({s.key for s in series} - shown)
    assert daemon.alive(), daemon.log()


def test_prometheus_holds_every_series_with_collectds_values(run):
    """Each CSV series is one Prometheus series, named and labelled as the
    snippet documents (a CDN account's as collectd_cdn_*, label cdn; an ESA
    account's collectd_esa_*, label esa), and the task counts (settled by
    now) are the CSV's."""
    daemon, prometheus, engine, series = run
    scraped = prometheus.api("series", **{"match[]": SELECTOR})
    assert sorted(tuple(sorted(s.items())) for s in scraped) == \
        sorted(tuple(sorted(engine.identity(s).items())) for s in series)
    counts = {}
    for product in PRODUCTS:
        for s in prometheus.query(f'collectd_{product}_count{{type=~"{STATUS_TYPE.pattern}"}}'):
            counts[(product, s["metric"][product], s["metric"]["type"])] = float(s["value"][1])
    values = daemon.values()
    assert counts == {(s.plugin, s.instance, s.type_instance): values[s.key] for s in series
                      if s.type == "count" and (s.plugin, s.instance) in domain_pairs()
                      and STATUS_TYPE.fullmatch(s.type_instance)}
    for key, n in FILES_COMPLETE.items():
        product, domain = key.split("-", 1)
        assert counts[(product, domain, "file-complete")] == n
    log = daemon.log()
    assert "write_prometheus plugin: Listening on [127.0.0.1]" in log, log
