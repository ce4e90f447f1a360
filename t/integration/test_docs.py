"""The documentation keeps up with the code: every option of the
configuration parser's one table (src/core/conf.c, conf_options[]) is
documented in the README and in collectd-dcdn(5), with the table's type,
secrecy, default and range where they state them; every
metric and notification the README lists is in the man page; the version
lives in configure.ac and everything else follows it; the Debian snippet
loads nothing and names only real options. Reads files only: no build
needed."""

import pathlib
import re
from typing import NamedTuple

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONF_C = ROOT / "src" / "core" / "conf.c"
CONF_H = ROOT / "src" / "core" / "conf.h"
README = ROOT / "README"
MAN_IN = ROOT / "src" / "collectd-dcdn.5.in"
CONFIGURE_AC = ROOT / "configure.ac"
CHANGELOG = ROOT / "debian" / "changelog"
SNIPPET = ROOT / "debian" / "dcdn.conf"

SCOPES = {"CONF_IN_PLUGIN": "plugin", "CONF_IN_ACCOUNT": "account",
          "CONF_IN_DOMAIN": "domain"}
# What collectd-dcdn(5) calls each type of value ("Type: ...").
MAN_TYPES = {
    "CONF_STRING": r"string\b",
    "CONF_NUMBER": r"number(?! \(whole\))",
    "CONF_INTEGER": r"(integer|number \(whole\))",
    "CONF_BOOLEAN": r"boolean",
    "CONF_CHOICE": r"string\b",
    "CONF_STRINGS": r"(zero|one) or more strings",
    "CONF_STRING_OR_BOOLEAN": r"string\b.* or boolean",
    "CONF_STRING_OR_NUMBER": r"string or number",
    "CONF_BLOCK": r"one string",
}


class Option(NamedTuple):
    scopes: frozenset  # of "plugin", "account", "domain"
    type: str          # CONF_STRING, ...
    secret: bool
    range: tuple       # (min, max), or None
    default: object    # a number or a string, or None (CONF_STRINGS: C text)


def c_defines():
    """conf.h's one-line #defines, comments removed: {name: text}."""
    text = re.sub(r"/\*.*?\*/", "", CONF_H.read_text(), flags=re.S)
    return dict(re.findall(r"^#define (\w+) +(\S[^\n]*?)\s*$", text, re.M))


DEFINES = c_defines()


def c_value(expr):
    """A C constant of the table: a string literal, true/false, or
    arithmetic over numbers and conf.h's macros."""
    expr = expr.strip()
    if expr.startswith('"'):
        return re.fullmatch(r'"([^"\\]*)"', expr).group(1)
    if expr in ("true", "false"):
        return int(expr == "true")
    if expr in DEFINES:
        return c_value(DEFINES[expr])
    assert re.fullmatch(r"[\d\s.+\-*/()]+", expr), f"cannot read {expr!r} in conf.c"
    return eval(expr)  # digits and operators only, checked above


def c_columns(row):
    """The columns of one row of the table, split at the commas outside
    parentheses and strings."""
    columns, depth, quoted, part = [], 0, False, ""
    for char in row + ",":
        quoted ^= char == '"'
        depth += (char == "(") - (char == ")") if not quoted else 0
        if char == "," and depth == 0 and not quoted:
            columns.append(part.strip())
            part = ""
        else:
            part += char
    return columns


# The table's columns, in the order of conf_option_t (its RANGE(min, max)
# is one column here).
COLUMNS = ("name", "type", "range", "default", "scope", "secret", "account",
           "domain", "rule")


def parser_options():
    """{option: Option} from the one table of src/core/conf.c,
    conf_options[]: each row's name, scopes, type, secrecy, range and
    default."""
    src = CONF_C.read_text()
    table = re.search(r"\bconf_options\[\]\s*=\s*\{(.*?)\n\};", src, re.S)
    assert table, "conf_options[] not found in conf.c"
    body = re.sub(r"/\*.*?\*/", "", table.group(1), flags=re.S)
    options = {}
    for row in re.findall(r"\{([^{}]*)\}", body):
        values = c_columns(row)
        assert len(values) == len(COLUMNS), f"a row of conf_options[] is not {COLUMNS}: {row}"
        col = dict(zip(COLUMNS, values))
        ranged = re.fullmatch(r"RANGE\((.*),(.*)\)", col["range"], re.S)
        assert ranged or col["range"] == "NO_RANGE", col["range"]
        default = re.fullmatch(r"(?:NUMBER|STRING)\((.*)\)", col["default"], re.S)
        assert default or col["default"] == "NO_DEFAULT", col["default"]
        assert col["secret"] in ("SECRET", "SHOWN"), col["secret"]
        if default and col["type"] != "CONF_STRINGS":
            default = c_value(default.group(1))
        elif default:  # a set of strings' default is bits: kept as C text
            default = default.group(1)
        options[c_value(col["name"])] = Option(
            scopes=frozenset(SCOPES[s.strip()] for s in col["scope"].split("|")),
            type=col["type"],
            secret=col["secret"] == "SECRET",
            range=tuple(c_value(v) for v in ranged.groups()) if ranged else None,
            default=default)
    return options


OPTIONS = parser_options()


def test_the_parser_was_read():
    """The C parsing above found the table and its columns (so a
    refactoring that hides them fails here rather than checking nothing)."""
    assert len([o for o, row in OPTIONS.items() if "account" in row.scopes]) >= 20
    assert OPTIONS["ObjectType"].scopes == {"domain"}
    assert OPTIONS["Account"].scopes == {"plugin"}
    assert OPTIONS["StuckAfter"].scopes == OPTIONS["Notify"].scopes == {"account", "domain"}
    assert {"AccessKeySecret", "SecurityToken"} <= {o for o, row in OPTIONS.items() if row.secret}
    assert not OPTIONS["AccessKeyId"].secret
    assert OPTIONS["Lookback"] == Option(frozenset({"account"}), "CONF_INTEGER", False,
                                         (60, 259200), 3600)
    assert OPTIONS["Product"].default == "dcdn"
    assert OPTIONS["MaxResponseSize"].range == (4096, 268435456)
    assert set(row.type for row in OPTIONS.values()) <= set(MAN_TYPES)


def man_text(source):
    """The man page source as the words a reader sees: font escapes and
    groff escapes removed, whitespace collapsed."""
    text = re.sub(r"^\.\\\".*$", "", source, flags=re.M)  # comments
    text = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", text)
    for escape, char in (("\\-", "-"), ("\\&", ""), ("\\(aq", "'"),
                         ("\\(dq", '"'), ("\\(lq", '"'), ("\\(rq", '"'),
                         ("\\(mu", "x"), ("\\(bu", "*"), ("\\e", "\\"),
                         ("\\%", "")):
        text = text.replace(escape, char)
    text = re.sub(r"^\.(B|I|BR|IR|RB|RI|BI|IB|SH|SS|TP|PP|IP|RS|RE|nf|fi|br|ft)\b ?",
                  "", text, flags=re.M)
    return re.sub(r"\s+", " ", text)


def squash(text):
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def man():
    return MAN_IN.read_text()


@pytest.fixture(scope="module")
def readme():
    return README.read_text()


def readme_section(readme, title):
    """The text of README section TITLE (a line underlined with dashes)."""
    match = re.search(r"^" + re.escape(title) + r"\n-+\n(.*?)(?=^[^\n]+\n-{3,}\n|\Z)",
                      readme, re.S | re.M)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def man_entry(man, option):
    """The body of OPTION's .TP entry: its tag starts with its name (<Name>
    for a block)."""
    entry = re.search(r"^\.TP\n\\fB<?" + option + r"\b[^\n]*\n(.*?)(?=^\.(?:TP|SS|SH|PP)\b)",
                      man, re.S | re.M)
    assert entry, f"collectd-dcdn(5) has no .TP entry for {option}"
    return entry.group(1)


@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_option_has_a_man_page_entry(man, option):
    """Each option has its own .TP entry whose tag starts with its name
    (<Name> for a block), with its type and default or limits nearby."""
    body = man_entry(man, option)
    assert "Type:" in body, f"the man page entry for {option} gives no type"
    assert "Default:" in body or "Limits:" in body or option == "Account", \
        f"the man page entry for {option} gives no default"


def shown(row, value):
    """Whether the documented value (text) is the table's (row.default)."""
    value = value.strip().strip('"')
    if row.type == "CONF_BOOLEAN":
        return value == ("true" if row.default else "false")
    if isinstance(row.default, str):
        return value == row.default
    return re.fullmatch(r"[\d.]+", value) is not None and float(value) == row.default


@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_man_page_type_is_the_tables(man, option):
    """The entry's "Type:" is the row's type, and a secret's says that it
    is never shown."""
    row = OPTIONS[option]
    body = man_entry(man, option)
    kind = squash(man_text(re.search(r"^Type: (.*?)(?=^\.br|^Default:|^Limits:|\Z)",
                                     body, re.S | re.M).group(1)))
    assert re.match(MAN_TYPES[row.type], kind), \
        f"collectd-dcdn(5) gives {option} the type {kind!r}; the table {row.type}"
    assert ("never shown in a log line" in kind) == row.secret, \
        f"collectd-dcdn(5) and the table disagree on whether {option} is a secret"


@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_man_page_scope_is_the_tables(man, option):
    """An option the table allows in <Domain> says so in its entry: "Also
    allowed inside <Domain>", or "Only inside" when not in <Account>."""
    row = OPTIONS[option]
    inside = re.search(r"^(Also allowed|Only) inside \\fB<Domain>\\fR", man_entry(man, option),
                       re.M)
    assert bool(inside) == ("domain" in row.scopes), \
        f"collectd-dcdn(5) and the table disagree on whether {option} is allowed in <Domain>"
    if inside:
        assert (inside.group(1) == "Only") == ("account" not in row.scopes), \
            f"collectd-dcdn(5) and the table disagree on whether {option} is allowed in <Account>"


@pytest.mark.parametrize("option", sorted(o for o, row in OPTIONS.items() if row.range))
def test_man_page_states_the_tables_range(man, option):
    """Each option with a range gives it as "Limits: MIN to MAX" (or "MIN
    or MAX" where nothing between is accepted)."""
    row = OPTIONS[option]
    limits = re.search(r"^Limits: ([\d.]+) (?:to|or) (\d+(?:\.\d+)?)", man_entry(man, option),
                       re.M)
    assert limits, f"collectd-dcdn(5) gives no limits for {option}"
    assert (float(limits.group(1)), float(limits.group(2))) == row.range, \
        f"collectd-dcdn(5) gives {option} limits {limits.groups()}, the table {row.range}"


@pytest.mark.parametrize("option", sorted(o for o, row in OPTIONS.items()
                                          if row.default is not None
                                          and row.type != "CONF_STRINGS"))
def test_man_page_states_the_tables_default(man, option):
    """Each option with a default value (a set of strings aside: "all
    three") gives it in bold right after "Default:"."""
    row = OPTIONS[option]
    default = re.search(r"^Default: \\fB(.*?)\\fR", man_entry(man, option), re.M)
    assert default, f"collectd-dcdn(5) gives no default value for {option}"
    assert shown(row, man_text(default.group(1))), \
        f"collectd-dcdn(5) gives {option} the default {default.group(1)!r}, " \
        f"the table {row.default!r}"


def test_readme_states_the_tables_defaults_and_ranges(readme):
    """Where the README's Configuration section gives an option's default
    or range ("`Name ...` (default 10, 0.1 to 300)"), it is the table's."""
    config = readme_section(readme, "Configuration")
    compared, wrong = 0, []
    for option, row in OPTIONS.items():
        said = re.search(r"`<?" + option + r"\b[^`]*`\s*\(default\b(:?)\s*([^)]*)\)", config)
        if not said or said.group(1):  # none, or words ("default: the system's")
            continue
        value = re.match(r"`?([^`,;\s]+)", said.group(2)).group(1)
        limits = re.search(r"\b([\d.]+) to ([\d.]+)\b", said.group(2))
        compared += 1
        if not shown(row, value):
            wrong.append(f"{option}: default {value}, the table {row.default!r}")
        if limits and (float(limits.group(1)), float(limits.group(2))) != row.range:
            wrong.append(f"{option}: {limits.group(0)}, the table {row.range}")
    assert compared >= 10, f"the README gave only {compared} defaults to compare"
    assert not wrong, f"the README disagrees with conf.c's table: {wrong}"


@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_option_is_in_readme(readme, option):
    """The README's Configuration section names each option in code, as
    `Name ...` or `<Name ...>`."""
    config = readme_section(readme, "Configuration")
    assert re.search(r"`<?" + option + r"[\s\">`]", config), \
        f"README's Configuration section does not document {option}"


@pytest.mark.parametrize("section", ["Metrics", "Notifications"])
def test_readme_terms_are_in_man_page(man, readme, section):
    """Every term the README's Metrics and Notifications sections put in
    code (identifiers such as dcdn-<domain>/duration-staleness, types,
    type instances, codes, messages) appears in the man page."""
    words = man_text(man)
    terms = {squash(t) for t in re.findall(r"`([^`]+)`", readme_section(readme, section))}
    assert len(terms) > 10
    missing = sorted(t for t in terms if t not in words)
    assert not missing, f"README {section} terms missing from collectd-dcdn(5): {missing}"


def test_every_metric_identifier_is_an_entry(man, readme):
    """The metric identifiers of README's Metrics tables are entries of the
    man page's METRICS section."""
    metrics = readme_section(readme, "Metrics")
    ids = set(re.findall(r"`(dcdn-<\w+>/[^`]+)`", metrics))
    ids |= {f"dcdn-<account>/count-{kind}-<kind>" for kind in ("quota", "remain")
            if f"count-{kind}-<kind>" in metrics}
    assert len(ids) >= 15
    section = man.split("\n.SH METRICS", 1)[1].split("\n.SH ", 1)[0]
    tags = {man_text(t).strip() for t in re.findall(r"^\.TP\n([^\n]*)", section, re.M)}
    assert ids <= tags, f"not entries in collectd-dcdn(5) METRICS: {sorted(ids - tags)}"
    assert "dcdn-<domain>/count-<objecttype>-<status>" in tags


def configure_version():
    match = re.search(r"^AC_INIT\(\[[^]]*\],\s*\[([^]]+)\]", CONFIGURE_AC.read_text(), re.M)
    assert match, "no AC_INIT version in configure.ac"
    return match.group(1)


def test_version_lives_in_configure_ac(man):
    """configure.ac's AC_INIT is the one place: debian/changelog's upstream
    version equals it, the man page takes it from configure, and the plugin
    logs DCDN_VERSION, which configure defines from it."""
    version = configure_version()
    top = CHANGELOG.read_text().splitlines()[0]
    match = re.match(r"collectd-dcdn \((?:\d+:)?([^)]+?)(?:-[^-)]+)?\) ", top)
    assert match, f"debian/changelog's first line is unexpected: {top}"
    assert match.group(1) == version, \
        f"debian/changelog says {match.group(1)}, configure.ac {version}"
    th = re.search(r"^\.TH .*$", man, re.M).group(0)
    assert '"collectd-dcdn @PACKAGE_VERSION@"' in th, th
    assert "src/collectd-dcdn.5" in CONFIGURE_AC.read_text()
    assert re.search(r'AC_DEFINE_UNQUOTED\(\[DCDN_VERSION\],\s*\["AC_PACKAGE_VERSION"\]',
                     CONFIGURE_AC.read_text())
    dcdn_c = (ROOT / "src" / "shell" / "dcdn.c").read_text()
    assert re.search(r'"version %s[^"]*",\s*DCDN_VERSION', dcdn_c), \
        "the plugin no longer logs its version at init"


def test_snippet_loads_nothing_and_names_real_options():
    """The Debian conffile: every line a comment or blank; uncommented, its
    configuration lines are real options, and the secret comes from a
    file, not from the snippet."""
    lines = SNIPPET.read_text().splitlines()
    assert all(not line.strip() or line.startswith("#") for line in lines)
    config = [line[1:] for line in lines if re.match(r"#([^#]|$)", line)]
    assert config[0] == "LoadPlugin dcdn"
    names = {line.split()[0].lstrip("<").rstrip(">") for line in config
             if line.strip() and not line.strip().startswith("</")}
    names -= {"LoadPlugin", "Plugin"}
    lower = {o.lower() for o in OPTIONS}
    assert names and all(n.lower() in lower for n in names), names
    assert "AccessKeySecretFile" in names
    assert "AccessKeySecret" not in names
    secrets = {o.lower() for o, row in OPTIONS.items() if row.secret}
    assert not {n.lower() for n in names} & secrets, names


def test_simulator_options_are_in_man_page(man):
    """The SIMULATOR section lists every command-line option of
    the simulator (its options are declared in contrib/dcdn_simulator/cli.py)."""
    source = (ROOT / "contrib" / "dcdn_simulator" / "cli.py").read_text()
    options = set(re.findall(r'add_argument\(\s*"(--[a-z-]+)"', source))
    assert len(options) >= 10
    section = man_text(man.split("\n.SH SIMULATOR", 1)[1].split("\n.SH ", 1)[0])
    missing = sorted(o for o in options if not re.search(re.escape(o) + r"\b", section))
    assert not missing, f"simulator options missing from collectd-dcdn(5): {missing}"
