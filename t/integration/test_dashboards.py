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
  notifications."""

import json
import math
import re
import socket
import subprocess
import threading
import time

import pytest

from conftest import account_block
from harness import (COLLECTD, PLUGIN_DIR, ROOT, collectd_env, collectd_preamble, free_port,
                     stop_pid, wait_for)

GRAFANA = ROOT / "contrib" / "grafana"
CONFD = ROOT / "contrib" / "conf.d"
DASHBOARDS = {"graphite": GRAFANA / "dcdn-graphite.json",
              "influxdb": GRAFANA / "dcdn-influxdb.json"}
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


# ---------------------------------------------------------------------------
# Series: what the plugin produced, as collectd's identifiers, as Graphite
# paths and as InfluxDB's tags.

class Series:
    def __init__(self, host, key):
        plugin_part, type_part = key.split("/")
        assert plugin_part.startswith("dcdn-"), key
        self.host = host
        self.instance = plugin_part[len("dcdn-"):]
        self.type, _, self.type_instance = type_part.partition("-")
        self.key = key

    def tags(self):
        """InfluxDB's collectd listener: measurement dcdn_value, these tags."""
        return {"host": self.host, "instance": self.instance, "type": self.type,
                "type_instance": self.type_instance}

    def graphite_path(self):
        """write_graphite's defaults: <host>.<plugin>-<plugin_instance>.
        <type>-<type_instance>, with EscapeCharacter "_" in each name."""
        esc = lambda s: re.sub(r'[.\s"\\:!/()]', "_", s)  # noqa: E731
        return (f"{esc(self.host)}.dcdn-{esc(self.instance)}."
                f"{esc(self.type)}-{esc(self.type_instance)}")

    def __repr__(self):
        return self.key


def produced_series(daemon):
    if not daemon.csv_dir.exists():
        return []
    hosts = [p.name for p in daemon.csv_dir.iterdir() if p.is_dir()]
    assert len(hosts) == 1, hosts
    return [Series(hosts[0], key) for key in daemon.values()]


# ---------------------------------------------------------------------------
# Template variables: Grafana's syntax, and how it formats values for each
# data source.

VAR_RE = re.compile(r"\$(\w+)|\[\[(\w+)(?::\w+)?\]\]|\$\{(\w+)(?::[^}]+)?\}")
BUILTINS = {"timeFilter", "__interval", "__interval_ms", "__range", "__from", "__to"}
ALL = object()


def variables_in(text):
    return {next(g for g in m.groups() if g) for m in VAR_RE.finditer(text)} - BUILTINS


def substitute(text, values, fmt):
    """Replace every $var by fmt(var, values[var]); builtins stay."""
    def repl(m):
        name = next(g for g in m.groups() if g)
        return m.group(0) if name in BUILTINS else fmt(name, values[name])
    return VAR_RE.sub(repl, text)


def literal_alternatives(text, kind):
    """Groups of literal alternatives written in a query itself:
    Graphite {a,b}, InfluxQL regex (a|b). Returns [(span, [alternatives])]."""
    pattern = r"\{([^{}$]+)\}" if kind == "graphite" else r"\(([\w.|-]+)\)"
    sep = "," if kind == "graphite" else "|"
    return [(m.span(), m.group(1).split(sep)) for m in re.finditer(pattern, text)
            if sep in m.group(1)]


def variants(text, kind, var_values):
    """(what, text, assignment) to evaluate: everything at All; each value
    of each variable the text uses (the others at All); each literal
    alternative of the text (variables at All)."""
    used = sorted(variables_in(text))
    all_at = {v: ALL for v in var_values}
    out = [("all variables at All", text, all_at)]
    for var in used:
        for value in var_values[var]:
            out.append((f"${var} = {value!r}", text, {**all_at, var: [value]}))
    for (start, end), alternatives in literal_alternatives(text, kind):
        for alt in alternatives:
            out.append((f"only {alt!r} of {text[start:end]}",
                        text[:start] + alt + text[end:], all_at))
    return out


# ---------------------------------------------------------------------------
# Graphite: targets parsed into functions and path expressions; paths are
# globbed the way graphite-web does (* ? [..] {a,b} within a node).

GRAPHITE_FUNCTIONS = {
    "alias", "aliasByNode", "aliasSub", "keepLastValue", "nonNegativeDerivative",
    "perSecond", "scale", "summarize", "sumSeries", "groupByNode", "expand",
    "derivative", "maxSeries", "averageSeries", "sortByName", "consolidateBy",
}


def parse_graphite(text):
    """A target into ("call", name, args) / ("path", expr) / ("str"|"num", v)."""
    pos = 0

    def skip():
        nonlocal pos
        while pos < len(text) and text[pos].isspace():
            pos += 1

    def expr():
        nonlocal pos
        skip()
        c = text[pos]
        if c in "'\"":
            end = pos + 1
            while text[end] != c:
                end += 2 if text[end] == "\\" else 1
            value, pos = text[pos + 1:end], end + 1
            return ("str", value)
        m = re.match(r"-?\d+(\.\d+)?(?=\s*[,)])", text[pos:])
        if m:
            pos += m.end()
            return ("num", m.group(0))
        m = re.match(r"(true|false)(?=\s*[,)])", text[pos:])
        if m:
            pos += m.end()
            return ("bool", m.group(0))
        m = re.match(r"([A-Za-z_]\w*)\s*\(", text[pos:])
        if m:
            pos += m.end()
            args = []
            skip()
            if text[pos] == ")":
                pos += 1
                return ("call", m.group(1), args)
            while True:
                args.append(expr())
                skip()
                if text[pos] == ",":
                    pos += 1
                    continue
                check(text[pos] == ")", f"expected ) at {pos} in {text!r}")
                pos += 1
                return ("call", m.group(1), args)
        start, depth = pos, 0
        while pos < len(text) and not (depth == 0 and text[pos] in ",)"):
            depth += {"{": 1, "[": 1, "}": -1, "]": -1}.get(text[pos], 0)
            pos += 1
        path = text[start:pos].strip()
        check(path, f"empty argument at {start} in {text!r}")
        return ("path", path)

    tree = expr()
    skip()
    check(pos == len(text), f"trailing text in {text!r}")
    return tree


def check(condition, message):
    """An AssertionError with only the message (no assert rewriting noise)."""
    if not condition:
        raise AssertionError(message)


def walk(tree):
    yield tree
    if tree[0] == "call":
        for arg in tree[2]:
            yield from walk(arg)


def glob_regex(pattern):
    out, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out += r"[^.]*"
        elif c == "?":
            out += r"[^.]"
        elif c == "[":
            end = pattern.index("]", i)
            out += pattern[i:end + 1]
            i = end
        elif c == "{":
            end = pattern.index("}", i)
            out += "(?:" + "|".join(glob_regex(a) for a in pattern[i + 1:end].split(",")) + ")"
            i = end
        else:
            out += re.escape(c)
        i += 1
    return out


def graphite_match(pattern, paths):
    rx = re.compile(glob_regex(pattern) + r"\Z")
    return {p for p in paths if rx.match(p)}


def selected(variable, name, value):
    """A variable's values; "All" is its allValue (a string, used as it is)
    if it has one, else every value."""
    if value is ALL:
        return variable[name].get("allValue") or variable[name]["_values"]
    return value


def graphite_format(variable):
    def fmt(name, value):
        value = selected(variable, name, value)
        if isinstance(value, str):
            return value
        return value[0] if len(value) == 1 else "{" + ",".join(value) + "}"
    return fmt


def evaluate_graphite(target, paths):
    """The paths a target reads; fails on an unknown function, a path
    expression that matches nothing, or a node number past the path."""
    tree = parse_graphite(target)
    matched = set()
    for node in walk(tree):
        if node[0] == "call":
            check(node[1] in GRAPHITE_FUNCTIONS, f"unknown Graphite function {node[1]}")
        if node[0] == "path":
            found = graphite_match(node[1], paths)
            check(found, f"path {node[1]} matches no series")
            matched |= found
    for node in walk(tree):
        if node[0] == "call" and node[1] in ("aliasByNode", "groupByNode"):
            series = {p for n in walk(node[2][0]) if n[0] == "path"
                      for p in graphite_match(n[1], paths)}
            depth = min(p.count(".") + 1 for p in series)
            for arg in node[2][1:]:
                if arg[0] == "num":
                    check(int(arg[1]) < depth, f"{node[1]} node {arg[1]} past {depth} nodes")
    return matched


# ---------------------------------------------------------------------------
# InfluxQL: the small subset the dashboard uses, evaluated on the tags.

INFLUX_FUNCTIONS = {"last", "mean", "max", "min", "sum", "non_negative_derivative",
                    "derivative", "difference"}
TAGS = {"host", "instance", "type", "type_instance"}
COND_RE = re.compile(r'"(\w+)"\s*(=~|!~|=|!=)\s*(/(?:[^/\\]|\\.)*/|\'[^\']*\')')


def influx_format(variable):
    def fmt(name, value):
        value = selected(variable, name, value)
        if isinstance(value, str):
            return value
        escaped = [re.sub(r"([\\^$.|?*+()\[\]{}/])", r"\\\1", v) for v in value]
        return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"
    return fmt


def influx_conditions(where):
    where = re.sub(r"\s+AND\s+\$timeFilter|\$timeFilter\s+AND\s+", "", where).strip()
    check(not re.search(r"\bOR\b", where), f"OR is not evaluated here: {where}")
    conds = []
    for part in re.split(r"\s+AND\s+", where):
        m = COND_RE.fullmatch(part.strip())
        check(m, f"condition not understood: {part!r}")
        tag, op, operand = m.groups()
        check(tag in TAGS, f"no tag {tag!r} in InfluxDB's collectd measurements")
        conds.append((tag, op, operand[1:-1]))
    return conds


def influx_holds(conds, tags):
    for tag, op, operand in conds:
        value = tags[tag]
        ok = {"=": lambda: value == operand, "!=": lambda: value != operand,
              "=~": lambda: re.search(operand, value) is not None,
              "!~": lambda: re.search(operand, value) is None}[op]()
        if not ok:
            return False
    return True


def evaluate_influx(query, series):
    m = re.fullmatch(r'SELECT (.+?) FROM "(\w+)" WHERE (.+?)'
                     r'(?: GROUP BY (.+?))?(?: fill\((\w+)\))?', query.strip())
    check(m, f"query not understood: {query}")
    select, measurement, where, group, _ = m.groups()
    check(measurement == "dcdn_value", f"measurement {measurement}: the plugin's is dcdn_value")
    check(re.findall(r'"(\w+)"', select) == ["value"], f"field in {select}: the only one is value")
    for fn in re.findall(r"(\w+)\(", select):
        check(fn in INFLUX_FUNCTIONS, f"unknown InfluxQL function {fn}")
    for item in (group or "").split(","):
        item = item.strip()
        if item and not item.startswith("time("):
            check(item.strip('"') in TAGS, f"GROUP BY {item}: not a tag")
    conds = influx_conditions(where)
    return {s.key for s in series if influx_holds(conds, s.tags())}


def influx_variable_values(var, series, fmt):
    q = substitute(var["query"], var["_assign"], fmt)
    m = re.fullmatch(r'SHOW TAG VALUES FROM "dcdn_value" WITH KEY = "(\w+)"(?: WHERE (.+))?', q)
    check(m, f"variable {var['name']}: query not understood: {q}")
    conds = influx_conditions(m.group(2)) if m.group(2) else []
    return {s.tags()[m.group(1)] for s in series if influx_holds(conds, s.tags())}


# ---------------------------------------------------------------------------
# A dashboard against the series.

def load(kind):
    return json.loads(DASHBOARDS[kind].read_text())


def panels_of(dashboard):
    for p in dashboard["panels"]:
        yield p
        yield from p.get("panels", [])


def queries_of(dashboard, kind):
    field = "target" if kind == "graphite" else "query"
    for panel in panels_of(dashboard):
        for target in panel.get("targets", []):
            yield f"panel {panel['title']!r} {target['refId']}", target[field]


def apply_regex(regex, texts):
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


def expected_variable_values(kind, series):
    mangle = (lambda d: d.replace(".", "_")) if kind == "graphite" else (lambda d: d)
    return {"host": [series[0].host], "domain": sorted(mangle(d) for d in DOMAINS),
            "account": [ACCOUNT], "object_type": TYPES,
            "status": [s.lower() for s in STATUSES]}


# ---------------------------------------------------------------------------
# write_graphite as configured by contrib/conf.d/dcdn-graphite.conf, sending
# to a line receiver of ours.

class CarbonCapture:
    """A plaintext carbon receiver on a free loopback port: keeps every
    line it receives."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.lines, self._buf, self._stop = [], {}, False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        conns, deadline = [], None
        while True:
            if self._stop:
                deadline = deadline or time.monotonic() + 2
                if not conns or time.monotonic() > deadline:
                    break
            try:
                conn, _ = self.sock.accept()
                conn.setblocking(False)
                conns.append(conn)
            except OSError:
                pass
            for conn in list(conns):
                try:
                    data = conn.recv(65536)
                except BlockingIOError:
                    time.sleep(0.01)
                    continue
                except OSError:
                    data = b""
                if not data:
                    conns.remove(conn)
                    conn.close()
                    continue
                buf = self._buf.get(conn, b"") + data
                *complete, self._buf[conn] = buf.split(b"\n")
                self.lines += [line.decode() for line in complete if line]
        for conn in conns:
            conn.close()

    def paths(self):
        return {line.split(" ")[0] for line in list(self.lines)}

    def stop(self):
        """Reads what is still on its way (2 s at most), then closes."""
        if not self._stop:
            self._stop = True
            self.thread.join(5)
            self.sock.close()


def snippet_block(text, plugin):
    """The <LoadPlugin plugin> ... </Plugin> part of a snippet."""
    m = re.search(rf"^<LoadPlugin {plugin}>.*?^<Plugin {plugin}>.*?^</Plugin>\n", text,
                  re.S | re.M)
    assert m, f"no <LoadPlugin {plugin}> block and <Plugin {plugin}> block"
    return m.group(0)


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

def wrapper(host, directory, snippet, extra=""):
    """A collectd.conf around a snippet, as a test collectd starts."""
    return collectd_preamble(directory, host) + f'{extra}\nInclude "{snippet}"\n'


# Warnings the rewriting itself causes (the simulator speaks plain http).
EXPECTED_WARNINGS = ("is plain http: requests will not be encrypted",)


class Endpoints:
    """Where a rewritten snippet points: the simulator, a carbon receiver,
    a UDP port for the network plugin's Server, a port to Listen on."""

    def __init__(self, tmp_path, sim, carbon_port, server_port, listen_port):
        self.tmp_path, self.sim = tmp_path, sim
        self.carbon_port, self.server_port, self.listen_port = carbon_port, server_port, listen_port
        self.secret = tmp_path / "dcdn.secret"
        self.secret.write_text("testsecret\n")
        self.secret.chmod(0o600)


def rewrite_snippet(text, ep, state_dir, fast=False):
    """The snippet with its hosts, ports, endpoint, files and StateDir
    replaced by the test's; fails if any outside address or path is left."""
    rules = [
        (r'AccessKeyId "[^"]*"', 'AccessKeyId "testid"'),
        (r'AccessKeySecretFile "[^"]*"', f'AccessKeySecretFile "{ep.secret}"'),
        (r'Endpoint "[^"]*"', f'Endpoint "{ep.sim.url}"' if ep.sim else None),
        (r'StateDir "[^"]*"', f'StateDir "{state_dir}"'),
        (r'Host "[^"]*"', 'Host "127.0.0.1"'),
        (r'Port "[^"]*"', f'Port "{ep.carbon_port}"'),
        (r'<Server "[^"]*" "[^"]*">', f'<Server "127.0.0.1" "{ep.server_port}">'),
        (r'<Listen "[^"]*" "[^"]*">', f'<Listen "127.0.0.1" "{ep.listen_port}">'),
        (r'AuthFile "[^"]*"', f'AuthFile "{ep.tmp_path}/network-passwd"'),
        (r"(?m)^LoadPlugin dcdn$",
         f'PluginDir "{PLUGIN_DIR}"\nLoadPlugin dcdn\nPluginDir "/usr/lib/collectd"'),
    ]
    if fast:  # for a real run: poll and send every second
        rules += [(r"FlushInterval \d+", "FlushInterval 1"),
                  (r"^(\s*)Interval \d+", r"\1Interval 1")]
    lines = []
    for line in text.splitlines():
        if not line.lstrip().startswith("#"):
            for pattern, replacement in rules:
                if re.search(pattern, line):
                    assert replacement is not None, f"no simulator for {line!r}"
                    line = re.sub(pattern, replacement, line)
            assert not re.search(r"example\.com\"\s*$|aliyuncs|/etc/|/var/", line) or \
                line.strip().startswith("Domain"), f"left pointing outside the test: {line!r}"
            m = re.search(r'Password "([^"]*)"', line)
            if m:
                (ep.tmp_path / "network-passwd").write_text(f"dcdn-poller: {m.group(1)}\n")
        lines.append(line)
    return "\n".join(lines) + "\n"


def run_test_mode(tmp_path, snippet_text, extra=""):
    snippet = tmp_path / "snippet.conf"
    snippet.write_text(snippet_text)
    conf = tmp_path / "collectd.conf"
    conf.write_text(wrapper("dcdn-snippet", tmp_path, snippet, extra))
    run = subprocess.run([COLLECTD, "-T", "-C", str(conf)], capture_output=True, text=True,
                         timeout=60, env=collectd_env())
    log = (tmp_path / "collectd.log").read_text()
    return run.returncode, log + run.stdout + run.stderr


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
