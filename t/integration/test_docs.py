"""The documentation keeps up with the code: every option the configuration
parser accepts is documented in the README and in collectd-dcdn(5); every
metric and notification the README lists is in the man page; the version
lives in configure.ac and everything else follows it; the Debian snippet
loads nothing and names only real options. Reads files only: no build
needed."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONF_C = ROOT / "src" / "core" / "conf.c"
README = ROOT / "README"
MAN_IN = ROOT / "src" / "collectd-dcdn.5.in"
CONFIGURE_AC = ROOT / "configure.ac"
CHANGELOG = ROOT / "debian" / "changelog"
SNIPPET = ROOT / "debian" / "dcdn.conf"


def parser_options():
    """{option: where} from src/core/conf.c: the account option table, the
    keys compared inside conf_domain_option (<Domain> blocks) and those
    compared at the top of <Plugin dcdn> (conf_add_block)."""
    src = CONF_C.read_text()
    table = re.search(r"conf_account_options\[\]\s*=\s*\{(.*?)\n\};", src, re.S)
    assert table, "conf_account_options[] not found in conf.c"
    options = {name: "account" for name in
               re.findall(r'\{\s*"(\w+)"\s*,\s*conf_opt_\w+\s*\}', table.group(1))}

    def keys_in(function):
        body = re.search(r"\n\w[^\n]*\b" + function + r"\(.*?\n\}\n", src, re.S)
        assert body, f"{function} not found in conf.c"
        return re.findall(r'strcasecmp\(\s*\w+->key\s*,\s*"(\w+)"\s*\)', body.group(0))

    for name in keys_in("conf_domain_option"):
        options.setdefault(name, "domain")
    for name in keys_in("conf_add_block"):
        options.setdefault(name, "plugin")
    return options


OPTIONS = parser_options()


def test_the_parser_was_read():
    """The C parsing above found the tables (so a refactoring that hides
    them fails here rather than checking nothing)."""
    assert len([o for o, w in OPTIONS.items() if w == "account"]) >= 20
    assert "ObjectType" in OPTIONS and OPTIONS["ObjectType"] == "domain"
    assert OPTIONS.get("Account") == "plugin"


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


@pytest.mark.parametrize("option", sorted(OPTIONS))
def test_option_has_a_man_page_entry(man, option):
    """Each option has its own .TP entry whose tag starts with its name
    (<Name> for a block), with its type and default or limits nearby."""
    entry = re.search(r"^\.TP\n\\fB<?" + option + r"\b[^\n]*\n(.*?)(?=^\.(?:TP|SS|SH|PP)\b)",
                      man, re.S | re.M)
    assert entry, f"collectd-dcdn(5) has no .TP entry for {option}"
    body = entry.group(1)
    assert "Type:" in body, f"the man page entry for {option} gives no type"
    assert "Default:" in body or "Limits:" in body or option == "Account", \
        f"the man page entry for {option} gives no default"


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


def test_simulator_options_are_in_man_page(man):
    """The SIMULATOR section lists every command-line option of
    the simulator (its options are declared in contrib/dcdn_simulator/cli.py)."""
    source = (ROOT / "contrib" / "dcdn_simulator" / "cli.py").read_text()
    options = set(re.findall(r'add_argument\(\s*"(--[a-z-]+)"', source))
    assert len(options) >= 10
    section = man_text(man.split("\n.SH SIMULATOR", 1)[1].split("\n.SH ", 1)[0])
    missing = sorted(o for o in options if not re.search(re.escape(o) + r"\b", section))
    assert not missing, f"simulator options missing from collectd-dcdn(5): {missing}"
