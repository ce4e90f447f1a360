"""Real processes for the integration tests: the DCDN simulator and the
collectd daemon, each started on free loopback ports in a test's own
directory and stopped by PID."""

import glob
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
SIMULATOR = ROOT / "contrib" / "dcdn-simulator"
# Where the freshly built dcdn.so lives (a libtool build leaves it in .libs).
BUILD_DIR = pathlib.Path(os.environ.get("DCDN_BUILD_DIR", ROOT))
PLUGIN_DIR = BUILD_DIR / ".libs"
COLLECTD = os.environ.get("COLLECTD", "/usr/sbin/collectd")
# For a sanitizer build of the plugin: the runtime collectd must preload.
COLLECTD_PRELOAD = os.environ.get("DCDN_COLLECTD_PRELOAD", "")


def wait_for(predicate, timeout=20.0, interval=0.1, what="condition"):
    """Polls predicate until it returns something truthy; fails after
    timeout with what it was waiting for."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def refusing_port():
    """A loopback port that refuses connections for as long as the returned
    socket is open (bound, never listening), and that no other test,
    run beside this one, can take meanwhile: (port, socket). Close the
    socket just before something is to listen there."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1], s


def stop_pid(proc, timeout=10):
    """SIGTERM by PID, then SIGKILL if it will not go. Returns the exit code."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode


class Simulator:
    """contrib/dcdn-simulator as a real process."""

    def __init__(self, workdir, scenario=None, credentials=("testid:testsecret",),
                 rate_limit=5, args=()):
        self.workdir = pathlib.Path(workdir)
        self.record_path = self.workdir / "sim-record.jsonl"
        cmd = [sys.executable, str(SIMULATOR), "--listen", "127.0.0.1:0",
               "--record", str(self.record_path), "--rate-limit", str(rate_limit)]
        for cred in credentials:
            cmd += ["--credentials", cred]
        if scenario is not None:
            path = self.workdir / "scenario.json"
            path.write_text(json.dumps(scenario, indent=1))
            cmd += ["--scenario", str(path)]
        cmd += list(args)
        self.stderr = open(self.workdir / "sim.log", "w")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr,
                                     text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening "):
            stop_pid(self.proc)
            raise AssertionError(f"simulator did not start: {line!r}, see {self.stderr.name}")
        self.url = line.split(" ", 1)[1]

    def records(self, action=None):
        if not self.record_path.exists():
            return []
        rows = [json.loads(line) for line in self.record_path.read_text().splitlines() if line]
        return [r for r in rows if action is None or r["action"] == action]

    def stop(self):
        code = stop_pid(self.proc)
        self.proc.stdout.close()
        self.stderr.close()
        return code


def max_calls_in_window(times, window=1.0):
    """The most calls whose arrival times fall in any window of that length."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


class NotificationSink:
    """collectd's exec plugin runs a script for every notification, as
    "nobody" (it refuses root), so the script and the directory it writes
    to live outside the test's private directory."""

    def __init__(self):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="dcdn-notifications-"))
        self.dir.chmod(0o777)
        self.script = self.dir / "capture.sh"
        self.script.write_text('#!/bin/sh\nf=$(mktemp "$0.XXXXXXXX.tmp")\n'
                               'cat > "$f" && mv "$f" "${f%.tmp}.notification"\n')
        self.script.chmod(0o755)

    def config(self):
        return ('LoadPlugin exec\n<Plugin exec>\n'
                f'  NotificationExec "nobody" "{self.script}"\n</Plugin>\n')

    def notifications(self):
        """Each notification: its header lines as a dict, and "message"."""
        out = []
        for path in sorted(self.dir.glob("*.notification"), key=lambda p: p.stat().st_mtime):
            head, _, message = path.read_text().partition("\n\n")
            fields = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
            fields["message"] = message.strip()
            out.append(fields)
        return out

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def csv_lines(path):
    """The complete lines of a CSV file collectd may be writing: a last
    line without its newline is still being written, and left out."""
    text = path.read_text()
    lines = text.split("\n")
    return lines[:-1]


def collectd_preamble(workdir, hostname, interval=None):
    """What every test collectd starts with: names, places, the log
    (workdir/collectd.log). interval None: left to the rest of the config."""
    interval_line = f"Interval {interval}\n" if interval is not None else ""
    return f"""\
Hostname "{hostname}"
FQDNLookup false
{interval_line}BaseDir "{workdir}"
PIDFile "{workdir}/collectd.pid"
PluginDir "/usr/lib/collectd"
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File "{workdir}/collectd.log"
  PrintSeverity true
</Plugin>
"""


def collectd_env(extra=None):
    """The environment a test collectd runs in (a sanitizer build needs its
    runtime preloaded)."""
    env = {**os.environ, **(extra or {})}
    if COLLECTD_PRELOAD:
        env["LD_PRELOAD"] = COLLECTD_PRELOAD
    return env


class Collectd:
    """The real collectd daemon with csv and logfile writers and our plugin."""

    def __init__(self, workdir, plugin_config, interval=1, extra_config=""):
        self.workdir = pathlib.Path(workdir)
        self.csv_dir = self.workdir / "csv"
        self.log_path = self.workdir / "collectd.log"
        self.config_path = self.workdir / "collectd.conf"
        self.config_path.write_text(self.preamble("dcdn-test", interval) + f"""\
LoadPlugin csv
<Plugin csv>
  DataDir "{self.csv_dir}"
</Plugin>
{extra_config}
PluginDir "{PLUGIN_DIR}"
LoadPlugin dcdn
<Plugin dcdn>
{plugin_config}
</Plugin>
""")
        self.proc = None

    def test_config(self):
        """collectd -T: config, init and one read of each plugin; returns
        (exit code, log text)."""
        run = subprocess.run([COLLECTD, "-T", "-C", str(self.config_path)],
                             capture_output=True, text=True, timeout=60,
                             env=self._env(None))
        return run.returncode, self.log() + run.stdout + run.stderr

    def start(self, env=None):
        """env: extra environment variables for the daemon."""
        self.proc = subprocess.Popen([COLLECTD, "-f", "-C", str(self.config_path)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env=self._env(env))
        wait_for(lambda: "entering read-loop" in self.log() or self.proc.poll() is not None,
                 what="collectd to start")
        assert self.proc.poll() is None, f"collectd exited at start:\n{self.log()}"
        return self

    def preamble(self, hostname, interval):
        return collectd_preamble(self.workdir, hostname, interval)

    @staticmethod
    def _env(extra):
        return collectd_env(extra)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        return stop_pid(self.proc) if self.proc else None

    def log(self):
        return self.log_path.read_text() if self.log_path.exists() else ""

    def log_lines(self, needle):
        return [line for line in self.log().splitlines() if needle in line]

    def values(self):
        """The newest value of every series in the CSV output, keyed
        "plugin-instance/type-instance" (the host directory is dropped)."""
        latest = {}
        for path in glob.glob(str(self.csv_dir / "*" / "*" / "*")):
            p = pathlib.Path(path)
            series = p.parent.name + "/" + p.name.rsplit("-", 3)[0]
            rows = [r for r in csv_lines(p)[1:] if r]
            if rows:
                stamp, value = rows[-1].split(",")[:2]
                latest[series] = (float(stamp), float(value))
        return {k: v for k, (_, v) in latest.items()}

    def rows(self, series):
        """Every (time, value) written for one series."""
        out = []
        plugin, ti = series.split("/")
        for path in sorted(glob.glob(str(self.csv_dir / "*" / plugin / f"{ti}-*"))):
            for row in csv_lines(pathlib.Path(path))[1:]:
                stamp, value = row.split(",")[:2]
                out.append((float(stamp), float(value)))
        return out
