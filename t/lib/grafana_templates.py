"""Grafana's template variables, as the dashboard tests evaluate them: the
syntax ($var, [[var]], ${var:fmt}), substitution with a formatter of the
data source, the variants of a query worth evaluating (every variable at
All, each value alone, each literal alternative alone), and check(), the
failure every evaluator raises."""

import re


VAR_RE = re.compile(r"\$(\w+)|\[\[(\w+)(?::\w+)?\]\]|\$\{(\w+)(?::[^}]+)?\}")
BUILTINS = {"timeFilter", "__interval", "__interval_ms", "__range", "__from", "__to"}
ALL = object()


def variables_in(text):
    """The names of the variables a text uses, builtins left out."""
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
