"""InfluxQL, the small subset the InfluxDB dashboard uses, evaluated on the
tags of InfluxDB's collectd listener (measurement dcdn_value): SELECT ...
FROM ... WHERE tag conditions joined by AND, GROUP BY tags, and the
SHOW TAG VALUES queries of template variables. Also how Grafana formats a
variable's values in an InfluxQL query (regex-escaped, (a|b))."""

import re

from grafana_templates import check, selected, substitute


INFLUX_FUNCTIONS = {"last", "mean", "max", "min", "sum", "non_negative_derivative",
                    "derivative", "difference"}
TAGS = {"host", "instance", "type", "type_instance"}
COND_RE = re.compile(r'"(\w+)"\s*(=~|!~|=|!=)\s*(/(?:[^/\\]|\\.)*/|\'[^\']*\')')


def influx_format(variable):
    """Grafana's formatter for InfluxQL: regex-escaped, several as (a|b)."""
    def fmt(name, value):
        value = selected(variable, name, value)
        if isinstance(value, str):
            return value
        escaped = [re.sub(r"([\\^$.|?*+()\[\]{}/])", r"\\\1", v) for v in value]
        return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"
    return fmt


def influx_conditions(where):
    """A WHERE clause (without $timeFilter) as [(tag, op, operand)]."""
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
    """Whether a series' tags meet every condition."""
    for tag, op, operand in conds:
        value = tags[tag]
        ok = {"=": lambda: value == operand, "!=": lambda: value != operand,
              "=~": lambda: re.search(operand, value) is not None,
              "!~": lambda: re.search(operand, value) is None}[op]()
        if not ok:
            return False
    return True


def evaluate_influx(query, series):
    """The keys of the series a SELECT reads; fails on what it does not know."""
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
    """The values a variable's SHOW TAG VALUES query returns."""
    q = substitute(var["query"], var["_assign"], fmt)
    m = re.fullmatch(r'SHOW TAG VALUES FROM "dcdn_value" WITH KEY = "(\w+)"(?: WHERE (.+))?', q)
    check(m, f"variable {var['name']}: query not understood: {q}")
    conds = influx_conditions(m.group(2)) if m.group(2) else []
    return {s.tags()[m.group(1)] for s in series if influx_holds(conds, s.tags())}
