"""Grafana's template variables, as the dashboard tests expand them before
handing a query to the real engine: the syntax ($var, [[var]], ${var:fmt}),
substitution with the formatter Grafana uses for each data source
(Graphite, InfluxDB, Prometheus), the variants of a query worth running
(every variable at All, each value of each variable alone, for each value
of the single-valued ones), and check(), a failure with only its message."""

import re


VAR_RE = re.compile(r"\$(\w+)|\[\[(\w+)(?::\w+)?\]\]|\$\{(\w+)(?::[^}]+)?\}")
BUILTINS = {"timeFilter", "__interval", "__interval_ms", "__rate_interval", "__range",
            "__from", "__to"}
ALL = object()


def variables_in(text):
    """The names of the variables a text uses, builtins left out."""
    return {next(g for g in m.groups() if g) for m in VAR_RE.finditer(text)} - BUILTINS


def substitute(text, values, fmt, builtins=None):
    """Replace every $var by fmt(var, values[var]), and each builtin by
    builtins[name] (left as it is without one)."""
    def repl(m):
        name = next(g for g in m.groups() if g)
        if name in BUILTINS:
            return (builtins or {}).get(name, m.group(0))
        return fmt(name, values[name])
    return VAR_RE.sub(repl, text)


def variants(text, var_values, base):
    """(what, assignment) to run: base (every variable at All, but the
    single-valued ones at their value); each value of each variable of
    var_values the text uses, alone (the others as in base)."""
    out = [("all variables at All", base)]
    for var in sorted(variables_in(text) & set(var_values)):
        for value in var_values[var]:
            out.append((f"${var} = {value!r}", {**base, var: [value]}))
    return out


def check(condition, message):
    """An AssertionError with only the message (no assert rewriting noise)."""
    if not condition:
        raise AssertionError(message)


def selected(variable, name, value):
    """A variable's values; "All" is its allValue (a string, used as it is)
    if it has one, else every value."""
    if value is ALL:
        return variable[name].get("allValue") or variable[name]["_values"]
    return value


def graphite_format(variables):
    """Grafana's formatter for Graphite: one value as it is, several as {a,b}."""
    def fmt(name, value):
        value = selected(variables, name, value)
        if isinstance(value, str):
            return value
        return value[0] if len(value) == 1 else "{" + ",".join(value) + "}"
    return fmt


def _regex_format(variables, escape, plain):
    """Values regex-escaped by escape, several as (a|b); the value of a
    single-valued variable (neither multi nor All) only by plain, as
    Grafana's interpolateQueryExpr does."""
    def fmt(name, value):
        value = selected(variables, name, value)
        if isinstance(value, str):
            return value
        var = variables[name]
        if not var.get("multi") and not var.get("includeAll"):
            return plain(value[0])
        escaped = [escape(v) for v in value]
        return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"
    return fmt


def influx_format(variables):
    """Grafana's formatter for InfluxQL (inside /.../): regex-escaped."""
    return _regex_format(variables, lambda v: re.sub(r"([\\^$.|?*+()\[\]{}/])", r"\\\1", v),
                         lambda v: v)


def prometheus_format(variables):
    """Grafana's formatter for PromQL (inside a "..." string used with =~):
    prometheusSpecialRegexEscape, so a backslash is written twice in the
    string literal; prometheusRegularEscape for a single-valued variable."""
    return _regex_format(variables, lambda v: re.sub(r"([$^*{}\[\]'+?.()|])", r"\\\\\1",
                                                     v.replace("\\", "\\\\\\\\")),
                         lambda v: v.replace("\\", "\\\\").replace("'", "\\\\'"))


FORMATS = {"graphite": graphite_format, "influxdb": influx_format,
           "prometheus": prometheus_format}
