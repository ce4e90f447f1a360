"""The collectd.conf.d snippets of contrib/conf.d/ in a test's own collectd:
a snippet's plugin block cut out, its hosts, ports, endpoint, files and
StateDir rewritten to the test's simulator and loopback ports, a
collectd.conf around it, and `collectd -T` run on it."""

import re
import subprocess

from harness import COLLECTD, PLUGIN_DIR, collectd_env, collectd_preamble


def snippet_block(text, plugin):
    """The <LoadPlugin plugin> ... </Plugin> part of a snippet."""
    m = re.search(rf"^<LoadPlugin {plugin}>.*?^<Plugin {plugin}>.*?^</Plugin>\n", text,
                  re.S | re.M)
    assert m, f"no <LoadPlugin {plugin}> block and <Plugin {plugin}> block"
    return m.group(0)


def wrapper(host, directory, snippet, extra=""):
    """A collectd.conf around a snippet, as a test collectd starts."""
    return collectd_preamble(directory, host) + f'{extra}\nInclude "{snippet}"\n'


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
    """`collectd -T` on the snippet in a wrapper: (exit code, log and output)."""
    snippet = tmp_path / "snippet.conf"
    snippet.write_text(snippet_text)
    conf = tmp_path / "collectd.conf"
    conf.write_text(wrapper("dcdn-snippet", tmp_path, snippet, extra))
    run = subprocess.run([COLLECTD, "-T", "-C", str(conf)], capture_output=True, text=True,
                         timeout=60, env=collectd_env())
    log = (tmp_path / "collectd.log").read_text()
    return run.returncode, log + run.stdout + run.stderr
