"""The Grafana dashboards of contrib/grafana/ against a real query engine
(grafana_engines): each dashboard loaded, and for each value of each
single-valued variable (the product), its other template variables
resolved by running their own queries on the engine (as Grafana would),
and every query of every panel run on the engine, with those variables at
All and with each of their values alone. What each panel must show is
written here once for the three dashboards (SHOWS), as a predicate on the
series the plugin produced and what the scenario's plugin instances are
(domains, accounts); the engine's answer must be exactly those series,
each with data (none, where a product has none of them: another
product's object type, ESA's quota per site), and each target must show
some series for some product."""

import itertools
import json
import re

from grafana_templates import ALL, FORMATS, check, substitute, variants
from harness import ROOT


GRAFANA = ROOT / "contrib" / "grafana"
DASHBOARDS = {kind: GRAFANA / f"dcdn-{kind}.json" for kind in ("graphite", "influxdb",
                                                               "prometheus")}
QUERY_FIELD = {"graphite": "target", "influxdb": "query", "prometheus": "expr"}


def load(kind):
    """The dashboard of kind "graphite", "influxdb" or "prometheus", as JSON."""
    return json.loads(DASHBOARDS[kind].read_text())


def panels_of(dashboard):
    """Every panel, those inside collapsed rows too."""
    for p in dashboard["panels"]:
        yield p
        yield from p.get("panels", [])


def queries_of(dashboard, kind):
    """(where, text) of every target of every panel."""
    for panel in panels_of(dashboard):
        for target in panel.get("targets", []):
            yield f"panel {panel['title']!r} {target['refId']}", target[QUERY_FIELD[kind]]


def targets_of(dashboard, kind):
    """((panel title, refId), query text, legend format or None) of every
    target of every panel."""
    for panel in panels_of(dashboard):
        for target in panel.get("targets", []):
            yield ((panel["title"], target["refId"]), target[QUERY_FIELD[kind]],
                   target.get("legendFormat"))


# ---------------------------------------------------------------------------
# What each target shows, whatever the data source: a predicate on a series
# (collectd_series.Series) and the roles of the scenario's plugin instances
# ({"domains", "accounts"}: sets of (product, name); ESA's quota is a
# site's, sent under its owner domain).

def _domain(test):
    return lambda s, roles: (s.plugin, s.instance) in roles["domains"] and test(s)


def _account(test):
    return lambda s, roles: (s.plugin, s.instance) in roles["accounts"] and test(s)


def _ti(s, *suffixes):
    return any(s.type_instance.endswith(x) for x in suffixes)


STATUS_SUFFIXES = ("-pending", "-refreshing", "-complete", "-failed")

SHOWS = {
    ("Tasks by status: $domain", "A"):
        _domain(lambda s: s.type == "count" and _ti(s, *STATUS_SUFFIXES)),
    ("Failed tasks per minute", "A"):
        _domain(lambda s: s.type == "total_operations" and _ti(s, "-failed")),
    ("Completed tasks per minute", "A"):
        _domain(lambda s: s.type == "total_operations" and _ti(s, "-completed")),
    ("Completion time (mean / max)", "A"):
        _domain(lambda s: s.type == "duration" and _ti(s, "-completion_mean", "-completion_max")),
    ("Oldest task in flight", "A"):
        _domain(lambda s: s.type == "duration" and _ti(s, "-oldest_in_flight")),
    ("Progress of tasks in flight", "A"):
        _domain(lambda s: s.type == "percent" and _ti(s, "-progress")),
    ("Staleness per domain", "A"):
        _domain(lambda s: s.type == "duration" and s.type_instance == "staleness"),
    ("Refresh quota remaining today", "A"):
        _account(lambda s: s.type == "count" and s.type_instance.startswith("remain-")),
    ("Refresh quota remaining today", "B"):
        _account(lambda s: s.type == "count" and s.type_instance.startswith("quota-")),
    ("Refresh quota remaining today", "C"):
        _domain(lambda s: s.type == "count" and s.type_instance.startswith(("quota-", "used-"))),
    ("API calls per minute", "A"):
        _account(lambda s: s.type == "total_requests" and s.type_instance in ("calls",
                                                                               "throttled")),
    ("API errors per minute, by code", "A"): _account(lambda s: s.type == "errors"),
    ("API response time (mean / max)", "A"):
        _account(lambda s: s.type == "response_time" and s.type_instance in ("api", "api_max")),
    ("API response time (mean / max)", "B"):
        _account(lambda s: s.type == "duration" and s.type_instance == "read_callback"),
    ("Staleness of the account", "A"):
        _account(lambda s: s.type == "duration" and s.type_instance == "staleness"),
    ("Tasks tracked in memory", "A"):
        _account(lambda s: s.type in ("count", "memory") and s.type_instance == "tracked_tasks"),
}

# What one value of each variable keeps of a panel's series.
NARROWS = {
    "product": lambda s, v, engine: s.plugin == v,
    "host": lambda s, v, engine: s.host == v,
    "domain": lambda s, v, engine: engine.instance_value(s) == v,
    "account": lambda s, v, engine: engine.instance_value(s) == v,
    "object_type": lambda s, v, engine: s.type_instance.startswith(v + "-"),
    "status": lambda s, v, engine: s.type_instance.endswith("-" + v),
}


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


def variable_query(var):
    """The text of a query variable's query, whatever its JSON shape."""
    query = var["query"]
    return query if isinstance(query, str) else query.get("target") or query["query"]


def settings(dashboard):
    """Every assignment {name: value} of the single-valued variables (not
    multi, no All: the product), each a dashboard of its own; they must be
    custom variables, before the others."""
    fixed = [v for v in dashboard["templating"]["list"]
             if not v.get("multi") and not v.get("includeAll")]
    for var in fixed:
        check(var["type"] == "custom", f"variable {var['name']}: single-valued, "
                                       f"type {var['type']}")
    names = [v["name"] for v in fixed]
    values = [[x.strip() for x in v["query"].split(",")] for v in fixed]
    return [dict(zip(names, chosen)) for chosen in itertools.product(*values)]


def resolve_variables(dashboard, engine, fixed):
    """Each variable's values, computed by running its own query on the
    engine (in order, the earlier ones at All, the single-valued ones at
    their value in fixed), as Grafana would."""
    variables = {}
    fmt = FORMATS[engine.kind](variables)
    for var in dashboard["templating"]["list"]:
        var = dict(var)
        variables[var["name"]] = var
        if var["type"] == "custom":
            var["_values"] = [v.strip() for v in var["query"].split(",")]
            continue
        check(var["type"] == "query", f"variable {var['name']}: type {var['type']}")
        query = substitute(variable_query(var), _assignment(variables, fixed), fmt,
                           engine.builtins)
        var["_values"] = sorted(apply_regex(var.get("regex"), engine.variable_texts(query)))
    return variables, fmt


def _assignment(names, fixed):
    """Every variable of names at All, but those of fixed at their value."""
    return {name: [fixed[name]] if name in fixed else ALL for name in names}


def _key(identity, keys):
    return tuple(sorted((k, identity.get(k)) for k in keys))


def compare(engine, answer, expected):
    """What is wrong with an engine's answer (list of text): the series it
    returned against the expected ones, compared on the labels/tags the
    answer carries; every series must have data and a legend name. A
    query that must show nothing here (another product's object type or
    quota) must return nothing."""
    if not answer:
        return [f"returns no series; expected {sorted(s.key for s in expected)}"] if expected \
            else []
    keys = set().union(*(ident for ident, _, _ in answer))
    got = {_key(ident, keys) for ident, _, _ in answer}
    want = {_key(engine.identity(s), keys) for s in expected}
    problems = []
    if got - want:
        problems.append(f"returns series it should not: {sorted(got - want)}")
    if want - got:
        problems.append(f"misses {sorted(want - got)}")
    problems += [f"series {ident} has no data" for ident, _, data in answer if not data]
    problems += [f"series {ident} has an empty legend name" for ident, name, _ in answer
                 if not name]
    return problems


def check_dashboard(kind, engine, series, roles):
    """Every problem with the dashboard on the engine, as text (empty:
    none); and the keys of the series it shows with every variable at All
    (for some value of the single-valued ones). roles: what the scenario's
    plugin instances are ({"domains", "accounts"}, each a set of (product,
    name)). Each target must show some series for some value of the
    single-valued variables (the product)."""
    dashboard = load(kind)
    problems, shown = [], set()
    showing = {where: set() for where, _, _ in targets_of(dashboard, kind)}
    for fixed in settings(dashboard):
        found, seen = _check_setting(dashboard, kind, engine, series, roles, fixed, showing)
        problems += found
        shown |= seen
    problems += [f"panel {where}: shows nothing for any value of {sorted(settings(dashboard)[0])}"
                 for where, keys in showing.items() if not keys and where in SHOWS]
    return problems, shown


def _check_setting(dashboard, kind, engine, series, roles, fixed, showing):
    """check_dashboard with the single-valued variables at fixed; adds to
    showing[target] the keys it must show with every variable at All."""
    setting = ", ".join(f"${n} = {v!r}" for n, v in fixed.items())
    problems, shown = [], set()
    try:
        variables, fmt = resolve_variables(dashboard, engine, fixed)
    except AssertionError as e:
        return [f"{setting}: variables: {e}"], shown
    values = {n: v["_values"] for n, v in variables.items() if n not in fixed}
    empty = [f"{setting}: variable ${name} has no value" for name, v in values.items() if not v]
    if empty:
        return empty, shown
    for where, text, legend in targets_of(dashboard, kind):
        if where not in SHOWS:
            problems.append(f"panel {where}: not in grafana_dashboards.SHOWS")
            continue
        for what, assign in variants(text, values, _assignment(variables, fixed)):
            query = substitute(text, assign, fmt, engine.builtins)
            # Grafana fills a legend's variables with its default format.
            legend_text = legend and substitute(legend, assign, FORMATS["graphite"](variables))
            expected = [s for s in series if SHOWS[where](s, roles) and
                        all(NARROWS[var](s, v[0], engine)
                            for var, v in assign.items() if v is not ALL)]
            try:
                found = compare(engine, engine.run(query, legend_text), expected)
            except AssertionError as e:
                found = [str(e)]
            problems += [f"panel {where}, {setting}, {what}: {p}\n    {query}" for p in found]
            if what == "all variables at All":
                showing[where] |= {s.key for s in expected}
                if found:
                    break  # the variants would say the same
                shown |= {s.key for s in expected}
    return problems, shown
