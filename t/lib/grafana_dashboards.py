"""The Grafana dashboards of contrib/grafana/ against a set of series: each
dashboard loaded, its template variables resolved by running their own
queries (as Grafana would), and every query of every panel evaluated,
with its variants, by the Graphite or the InfluxQL evaluator."""

import json
import re

from grafana_templates import ALL, check, substitute, variants
from graphite_targets import evaluate_graphite, graphite_format, graphite_match
from harness import ROOT
from influxql import evaluate_influx, influx_format, influx_variable_values


GRAFANA = ROOT / "contrib" / "grafana"
DASHBOARDS = {"graphite": GRAFANA / "dcdn-graphite.json",
              "influxdb": GRAFANA / "dcdn-influxdb.json"}


def load(kind):
    """The dashboard of kind "graphite" or "influxdb", as JSON."""
    return json.loads(DASHBOARDS[kind].read_text())


def panels_of(dashboard):
    """Every panel, those inside collapsed rows too."""
    for p in dashboard["panels"]:
        yield p
        yield from p.get("panels", [])


def queries_of(dashboard, kind):
    """(where, text) of every target of every panel."""
    field = "target" if kind == "graphite" else "query"
    for panel in panels_of(dashboard):
        for target in panel.get("targets", []):
            yield f"panel {panel['title']!r} {target['refId']}", target[field]


def apply_regex(regex, texts):
    """A variable's regex on its query's results: group 1 if it has one."""
    if not regex:
        return set(texts)
    rx = re.compile(regex.strip("/"))
    out = set()
    for text in texts:
        m = rx.search(text)
        if m:
            out.add(m.group(1) if m.groups() else text)
    return out


def resolve_variables(dashboard, kind, series):
    """Each variable's values, computed by running its own query on the
    series (in order, the earlier ones at All), as Grafana would."""
    variables = {}
    paths = {s.graphite_path() for s in series}
    fmt = (graphite_format if kind == "graphite" else influx_format)(variables)
    for var in dashboard["templating"]["list"]:
        var = dict(var)
        variables[var["name"]] = var
        if var["type"] == "custom":
            var["_values"] = [v.strip() for v in var["query"].split(",")]
            continue
        check(var["type"] == "query", f"variable {var['name']}: type {var['type']}")
        var["_assign"] = {name: ALL for name in variables}
        if kind == "graphite":
            target = var["query"]["target"]
            m = re.fullmatch(r"expand\((.*)\)", target)
            check(m, f"variable {var['name']}: only expand(...) is evaluated here")
            texts = graphite_match(substitute(m.group(1), var["_assign"], fmt), paths)
        else:
            texts = influx_variable_values(var, series, fmt)
        var["_values"] = sorted(apply_regex(var.get("regex"), texts))
    return variables, fmt


def check_dashboard(kind, series):
    """Every problem with the dashboard's queries, as text (empty: none);
    and the series each dashboard shows."""
    dashboard = load(kind)
    problems, shown = [], set()
    try:
        variables, fmt = resolve_variables(dashboard, kind, series)
    except AssertionError as e:
        return [f"variables: {e}"], shown
    empty = [f"variable ${name} has no value" for name, v in variables.items() if not v["_values"]]
    if empty:
        return empty, shown
    paths = {s.graphite_path(): s.key for s in series}
    for where, text in queries_of(dashboard, kind):
        values = {n: v["_values"] for n, v in variables.items()}
        for what, variant, assign in variants(text, kind, values):
            query = substitute(variant, assign, fmt)
            try:
                if kind == "graphite":
                    found = {paths[p] for p in evaluate_graphite(query, set(paths))}
                else:
                    found = evaluate_influx(query, series)
            except AssertionError as e:
                found, problem = set(), str(e)
            else:
                problem = None if found else "matches no series"
            if problem:
                problems.append(f"{where}, {what}: {problem}\n    {query}")
                if what == "all variables at All":
                    break  # the variants would say the same
            if what == "all variables at All":
                shown |= found
    return problems, shown
