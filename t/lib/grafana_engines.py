"""The real query engines behind the three Grafana dashboards, as Grafana
talks to them: graphite-web's render and metrics APIs, InfluxDB's /query
API, Prometheus's HTTP API. Each engine resolves a template variable's
query to its raw values, runs a panel's query (variables already
expanded, Grafana's builtins given fixed values), and names a collectd
series the way its answers identify it, so that a test can compare what
the engine returned with the series a panel must show."""

import math
import re

from grafana_templates import check

TYPES_DB = "/usr/share/collectd/types.db"


def types_db():
    """collectd's stock types: {type: [(ds name, ds type)]}."""
    types = {}
    for line in open(TYPES_DB):
        fields = line.split(None, 1)
        if len(fields) == 2 and not line.startswith("#"):
            types[fields[0]] = [tuple(ds.strip().split(":")[:2])
                                for ds in fields[1].split(",")]
    return types


def _single_ds(series, types):
    (ds,) = types[series.type]  # every type the plugin uses has one data source
    return ds


class GraphiteEngine:
    """graphite-web over carbon's whisper files. A rendered series keeps
    the path it was read from in its "name" tag, whatever the functions
    around it did to its legend name."""

    kind, field = "graphite", "target"
    builtins = {}

    def __init__(self, web):
        self.web = web

    def variable_texts(self, query):
        m = re.fullmatch(r"expand\((.*)\)", query)
        check(m, f"variable query {query!r}: Grafana sends expand(...) to "
                 "/metrics/expand; nothing else is used here")
        return self.web.expand(m.group(1))

    def run(self, query, legend=None):
        """[(identity, legend, has data)] of the rendered series (the
        legend is the one the target's functions made)."""
        return [({"path": s["tags"]["name"]}, s["target"],
                 any(v is not None for v, _ in s["datapoints"]))
                for s in self.web.render(query)]

    @staticmethod
    def identity(series):
        return {"path": series.graphite_path()}

    @staticmethod
    def instance_value(series):
        """A domain or account as its variable lists it (the second node,
        its "<product>-" cut off)."""
        return series.graphite_path().split(".")[1].partition("-")[2]


class InfluxEngine:
    """InfluxDB 1.x fed by its collectd listener: measurement
    <plugin>_<data source> (the plugin is the product), tags host,
    instance, type, type_instance."""

    kind, field = "influxdb", "query"
    builtins = {"timeFilter": "time > now() - 10m", "__interval": "1s"}

    def __init__(self, influx):
        self.influx = influx
        self.types = types_db()

    def variable_texts(self, query):
        check(query.startswith("SHOW TAG VALUES "), f"variable query {query!r}")
        return [value for s in self.influx.http_query(query) for _, value in s["values"]]

    def run(self, query, legend=None):
        """[(identity: measurement and the GROUP BY tags, legend, has data)]."""
        return [({"measurement": s["name"], **s.get("tags", {})}, s["name"],
                 any(v is not None for row in s["values"] for v in row[1:]))
                for s in self.influx.http_query(query)]

    def identity(self, series):
        ds_name, _ = _single_ds(series, self.types)
        return {"measurement": f"{series.plugin}_{ds_name}", **series.tags()}

    @staticmethod
    def instance_value(series):
        return series.instance


class PrometheusEngine:
    """Prometheus scraping write_prometheus: collectd_<plugin>_<type>
    (_<data source> unless it is "value", _total for a counter), labels
    instance (collectd's host), <plugin> (the plugin instance; the label's
    name is the product's) and type (the type instance), plus the scrape's
    job."""

    kind, field = "prometheus", "expr"
    builtins = {"__rate_interval": "15s", "__interval": "5s"}

    def __init__(self, prometheus, job="collectd"):
        self.prometheus, self.job = prometheus, job
        self.types = types_db()
        # The time every panel query is evaluated at (None: now), as a
        # dashboard shows one moment: see test_prometheus.py.
        self.at = None

    def variable_texts(self, query):
        m = re.fullmatch(r"label_values\((?:(.+),\s*)?(\w+)\)", query)
        check(m, f"variable query {query!r}: only label_values(...) is used here")
        selector, label = m.groups()
        return self.prometheus.label_values(label, selector or "{__name__=~\".+\"}")

    def run(self, query, legend=None):
        """[(identity: the labels, legend, has data)]; the legend is
        legendFormat (its variables expanded) with each {{label}} the
        series' label, as Grafana renders it; a label the series lacks
        fails."""
        return [(dict(s["metric"]), self.legend(legend, s["metric"]),
                 not math.isnan(float(s["value"][1])))
                for s in self.prometheus.query(query, self.at)]

    @staticmethod
    def legend(legend_format, labels):
        def label(m):
            check(m.group(1) in labels, f"legend {legend_format!r}: the series {labels} "
                                        f"has no label {m.group(1)!r}")
            return labels[m.group(1)]
        return re.sub(r"\{\{\s*(\w+)\s*\}\}", label, legend_format or str(labels))

    def metric_name(self, series):
        ds_name, _ = _single_ds(series, self.types)
        name = f"collectd_{series.plugin}_{series.type}"
        if ds_name != "value":
            name += f"_{ds_name}"
        return name + ("_total" if self.is_counter(series) else "")

    def identity(self, series):
        return {"__name__": self.metric_name(series), "job": self.job, "instance": series.host,
                series.plugin: series.instance, "type": series.type_instance}

    def is_counter(self, series):
        """A counter (DERIVE): the dashboard takes its rate()."""
        return _single_ds(series, self.types)[1] in ("DERIVE", "COUNTER")

    @staticmethod
    def instance_value(series):
        return series.instance
