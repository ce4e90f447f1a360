"""Graphite targets, evaluated the way graphite-web would on a set of series
paths: a target parsed into function calls and path expressions, paths
globbed within a node (* ? [..] {a,b}), only known functions allowed, and
aliasByNode/groupByNode node numbers checked against the paths' depth.
Also how Grafana formats a variable's values in a Graphite target."""

import re

from grafana_templates import check, selected


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


def walk(tree):
    """Every node of a parsed target, depth first."""
    yield tree
    if tree[0] == "call":
        for arg in tree[2]:
            yield from walk(arg)


def glob_regex(pattern):
    """A Graphite glob as a regex; * and ? never cross a dot."""
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
    """The paths the glob matches whole."""
    rx = re.compile(glob_regex(pattern) + r"\Z")
    return {p for p in paths if rx.match(p)}


def graphite_format(variable):
    """Grafana's formatter for Graphite: one value as it is, several as {a,b}."""
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
