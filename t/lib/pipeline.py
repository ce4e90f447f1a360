"""Real writers and query engines for the pipeline tests: carbon-cache
(Graphite), graphite-web's render API over carbon's whisper files, InfluxDB
1.x and Prometheus, each with its configuration, data and logs in a test's
own directory, every listener on a free loopback port, started in the
background and stopped by PID; and collectd configurations that feed them."""

import json
import os
import pathlib
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

from harness import Collectd, free_port, stop_pid, wait_for

# Debian's whisper tools need Debian's interpreter (a python3 earlier on
# PATH may lack the whisper module).
SYSTEM_PYTHON = "/usr/bin/python3"
WHISPER_FETCH = "/usr/bin/whisper-fetch"
CARBON_CACHE = "/usr/bin/carbon-cache"
INFLUXD = "/usr/bin/influxd"
INFLUX = "/usr/bin/influx"
GRAPHITE_MANAGE = "/usr/bin/graphite-manage"
PROMETHEUS = "/usr/bin/prometheus"
TYPES_DB = "/usr/share/collectd/types.db"


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class Server:
    """A daemon started by a test: its output in a log file, stopped by PID."""

    def _launch(self, cmd, log_path, ready, what, env=None):
        """Starts cmd in self.dir and waits until ready() (or it exits)."""
        self.log_path = log_path
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     cwd=self.dir, env=env)
        try:
            wait_for(lambda: self.proc.poll() is not None or ready(), timeout=30, what=what)
            assert self.proc.poll() is None, f"{cmd[0]} exited:\n{self.log()}"
        except BaseException:
            self.stop()
            raise

    def log(self):
        return self.log_path.read_text(errors="replace")

    def get_json(self, path, **params):
        """GET http://127.0.0.1:<self.http_port><path>?<params> as JSON;
        an HTTP error fails with the server's own message."""
        url = f"http://127.0.0.1:{self.http_port}{path}?" + urllib.parse.urlencode(params,
                                                                                  doseq=True)
        try:
            with urllib.request.urlopen(url, timeout=30) as rsp:
                return json.load(rsp)
        except urllib.error.HTTPError as err:
            raise AssertionError(f"{url}: HTTP {err.code}: "
                                 f"{err.read().decode(errors='replace')[:500]}") from None

    def answers(self, path):
        """Whether GET <path> answers 2xx yet."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}{path}",
                                        timeout=1) as rsp:
                return 200 <= rsp.status < 300
        except OSError:
            return False

    def stop(self):
        code = stop_pid(self.proc)
        self.log_file.close()
        return code


class Carbon(Server):
    """carbon-cache with a line receiver on 127.0.0.1:<free port>, every
    metric kept at 1 s resolution for an hour, and every write flushed to
    its whisper file at once."""

    def __init__(self, workdir):
        self.dir = pathlib.Path(workdir) / "carbon"
        self.data_dir = self.dir / "whisper"
        for sub in ("conf", "whisper", "log", "run", "whitelists"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        conf = self.dir / "conf"
        (conf / "storage-schemas.conf").write_text(
            "[everything]\npattern = .*\nretentions = 1s:1h\n")
        (conf / "storage-aggregation.conf").write_text(
            "[everything]\npattern = .*\nxFilesFactor = 0\naggregationMethod = last\n")
        self.config_path = conf / "carbon.conf"
        self.config_path.write_text(f"""\
[cache]
STORAGE_DIR = {self.dir}/
LOCAL_DATA_DIR = {self.data_dir}/
WHITELISTS_DIR = {self.dir}/whitelists/
CONF_DIR = {conf}/
LOG_DIR = {self.dir}/log/
PID_DIR = {self.dir}/run/
DATABASE = whisper
ENABLE_LOGROTATION = False
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = inf
MAX_CREATES_PER_MINUTE = inf
MIN_TIMESTAMP_RESOLUTION = 1
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = {self.port}
ENABLE_UDP_LISTENER = False
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = {free_port()}
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = {free_port()}
ENABLE_MANHOLE = False
CARBON_METRIC_INTERVAL = 0
LOG_LISTENER_CONN_SUCCESS = False
WHISPER_AUTOFLUSH = True
WHISPER_FALLOCATE_CREATE = False
""")
        self._launch([SYSTEM_PYTHON, CARBON_CACHE, f"--config={self.config_path}",
                      f"--pidfile={self.dir}/run/carbon-cache.pid", "--debug", "start"],
                     self.dir / "carbon-cache.log", lambda: port_open(self.port),
                     "carbon-cache's line receiver")

    def paths(self):
        """Every metric path carbon has a whisper file for, as Graphite
        shows it (directories joined with dots)."""
        return {str(p.relative_to(self.data_dir))[:-len(".wsp")].replace("/", ".")
                for p in self.data_dir.rglob("*.wsp")}

    def wait_for_paths(self, paths, timeout=20.0):
        """Waits until every one of paths has a whisper file."""
        missing = set(paths)
        deadline = time.monotonic() + timeout
        while True:
            missing -= self.paths()
            if not missing:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for whisper "
                                     f"files of {sorted(missing)}")
            time.sleep(0.2)

    def fetch(self, path, seconds=600):
        """whisper-fetch of one metric: its non-null (time, value) points."""
        wsp = self.data_dir / (path.replace(".", "/") + ".wsp")
        run = subprocess.run([SYSTEM_PYTHON, WHISPER_FETCH, "--json",
                              f"--from={int(time.time()) - seconds}", str(wsp)],
                             capture_output=True, text=True, timeout=30, check=True)
        data = json.loads(run.stdout)
        return [(data["start"] + i * data["step"], v)
                for i, v in enumerate(data["values"]) if v is not None]

    def latest(self, paths, seconds=600):
        """The newest value of each metric path that has one. whisper-fetch
        reads one file per process (about 0.2 s each); this reads them all
        with the same whisper.fetch() in one process of Debian's python."""
        files = {p: str(self.data_dir / (p.replace(".", "/") + ".wsp")) for p in paths}
        run = subprocess.run([SYSTEM_PYTHON, "-c", _LATEST, str(int(time.time()) - seconds)],
                             input=json.dumps(files), capture_output=True, text=True,
                             timeout=30, check=True)
        return json.loads(run.stdout)


_LATEST = """\
import json, os, sys, whisper
out = {}
for path, wsp in json.load(sys.stdin).items():
    if os.path.exists(wsp):
        (start, end, step), values = whisper.fetch(wsp, int(sys.argv[1]))
        values = [v for v in values if v is not None]
        if values:
            out[path] = values[-1]
json.dump(out, sys.stdout)
"""


class Influx(Server):
    """InfluxDB 1.x with its collectd listener, every listener on a free
    loopback port, each collectd value written at once (batch of 1)."""

    def __init__(self, workdir):
        self.dir = pathlib.Path(workdir) / "influxdb"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.http_port = free_port()
        self.collectd_port = free_port()
        self.config_path = self.dir / "influxdb.conf"
        self.config_path.write_text(f"""\
reporting-disabled = true
bind-address = "127.0.0.1:{free_port()}"
[meta]
  dir = "{self.dir}/meta"
[data]
  dir = "{self.dir}/data"
  wal-dir = "{self.dir}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:{self.http_port}"
  log-enabled = false
[ifql]
  enabled = false
[[collectd]]
  enabled = true
  bind-address = "127.0.0.1:{self.collectd_port}"
  database = "collectd"
  typesdb = "{TYPES_DB}"
  security-level = "none"
  batch-size = 1
  batch-timeout = "100ms"
""")
        self._launch([INFLUXD, "run", "-config", str(self.config_path)],
                     self.dir / "influxd.log", self.ping, "influxd to answer /ping")

    def ping(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/ping",
                                        timeout=1) as rsp:
                return rsp.status == 204
        except OSError:
            return False

    def query(self, statement):
        """The series an InfluxQL statement returns (through the `influx`
        CLI), or None while the collectd database does not exist yet."""
        run = subprocess.run([INFLUX, "-host", "127.0.0.1", "-port", str(self.http_port),
                              "-database", "collectd", "-format", "json",
                              "-execute", statement],
                             capture_output=True, text=True, timeout=30)
        if "database not found" in run.stdout + run.stderr:
            return None
        assert run.returncode == 0, f"influx failed: {run.stdout}{run.stderr}"
        series = []
        for result in json.loads(run.stdout)["results"]:  # GROUP BY: one result a series
            assert "error" not in result, result
            series += result.get("series", [])
        return series

    def http_query(self, statement):
        """The series an InfluxQL statement returns through the HTTP /query
        API (times in seconds); fails on an error in any result."""
        answer = self.get_json("/query", db="collectd", q=statement, epoch="s")
        series = []
        for result in answer["results"]:
            assert "error" not in result, (statement, result["error"])
            series += result.get("series", [])
        return series


class GraphiteWeb(Server):
    """Debian's graphite-web (Django's server, one process, no reloader)
    serving the render and metrics APIs over the whisper files of a Carbon,
    with its settings module, log and database in the test's directory."""

    def __init__(self, workdir, carbon):
        self.dir = pathlib.Path(workdir) / "graphite-web"
        (self.dir / "log").mkdir(parents=True, exist_ok=True)
        self.http_port = free_port()
        # graphite.settings imports the module GRAPHITE_SETTINGS_MODULE names
        # instead of Debian's /etc/graphite/local_settings.py.
        (self.dir / "dcdn_test_graphite_settings.py").write_text(f"""\
SECRET_KEY = "dcdn-test-only"
ALLOWED_HOSTS = ["127.0.0.1"]
STORAGE_DIR = "{carbon.dir}/"
WHISPER_DIR = "{carbon.data_dir}/"
STANDARD_DIRS = ["{carbon.data_dir}/"]
CONF_DIR = "{self.dir}/"
LOG_DIR = "{self.dir}/log/"
INDEX_FILE = "{self.dir}/index"
LOG_ROTATION = False
DEFAULT_XFILES_FACTOR = 0
CARBONLINK_HOSTS = []
TAGDB = ""
DATABASES = {{"default": {{"NAME": "{self.dir}/graphite.db",
                          "ENGINE": "django.db.backends.sqlite3"}}}}
""")
        env = {**os.environ, "GRAPHITE_SETTINGS_MODULE": "dcdn_test_graphite_settings",
               "PYTHONPATH": str(self.dir)}
        self._launch([SYSTEM_PYTHON, GRAPHITE_MANAGE, "runserver", "--noreload",
                      f"127.0.0.1:{self.http_port}"], self.dir / "graphite-web.log",
                     lambda: self.answers("/version"), "graphite-web to answer /version",
                     env=env)

    def render(self, target, since="-10min"):
        """The series a target renders (format=json): [{target, tags, datapoints}]."""
        return self.get_json("/render", target=target, format="json", **{"from": since})

    def expand(self, query):
        """/metrics/expand: the paths a glob expands to."""
        return self.get_json("/metrics/expand", query=query)["results"]


class Prometheus(Server):
    """Debian's Prometheus scraping one target every second, its TSDB, log
    and HTTP API on a free loopback port in the test's directory. The
    scrape keeps the target's labels (honor_labels): collectd's host name
    stays in "instance"."""

    def __init__(self, workdir, target_port):
        self.dir = pathlib.Path(workdir) / "prometheus"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.http_port = free_port()
        self.config_path = self.dir / "prometheus.yml"
        self.config_path.write_text(f"""\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: collectd
    honor_labels: true
    static_configs:
      - targets: ["127.0.0.1:{target_port}"]
""")
        self._launch([PROMETHEUS, f"--config.file={self.config_path}",
                      f"--storage.tsdb.path={self.dir}/data",
                      f"--web.listen-address=127.0.0.1:{self.http_port}", "--log.level=warn"],
                     self.dir / "prometheus.log", lambda: self.answers("/-/ready"),
                     "Prometheus to be ready")

    def api(self, path, **params):
        """The data of a /api/v1/<path> answer; fails unless its status is success."""
        answer = self.get_json(f"/api/v1/{path}", **params)
        assert answer["status"] == "success", answer
        return answer["data"]

    def query(self, expr, at=None):
        """An instant query at the current time (or at `at`, seconds since
        the epoch): [{metric: labels, value: [t, v]}]."""
        data = self.api("query", query=expr, **({} if at is None else {"time": at}))
        assert data["resultType"] == "vector", data
        return data["result"]

    def samples(self, selector, window, at):
        """The samples of each series a selector matches in the window
        (e.g. "15s") that ends at `at`: [{metric: labels, values: [[t, v]]}]."""
        data = self.api("query", query=f"{selector}[{window}]", time=at)
        assert data["resultType"] == "matrix", data
        return data["result"]

    def label_values(self, label, selector):
        """The values of a label on the series a selector matches in the last hour."""
        now = time.time()
        return self.api(f"label/{label}/values", **{"match[]": selector, "start": now - 3600,
                                                    "end": now})


def write_graphite_config(port, node="carbon"):
    """collectd's write_graphite to carbon over TCP, flushed every second.
    StoreRates false: DERIVE values go out as the raw counters, so that the
    whisper files hold exactly what the plugin dispatched."""
    return f"""\
<LoadPlugin write_graphite>
  FlushInterval 1
</LoadPlugin>
<Plugin write_graphite>
  <Node "{node}">
    Host "127.0.0.1"
    Port "{port}"
    Protocol "tcp"
    StoreRates false
    EscapeCharacter "_"
    LogSendErrors true
  </Node>
</Plugin>
"""


def network_client_config(port):
    """collectd's network plugin sending values and notifications to
    127.0.0.1:<port>, flushed every second."""
    return f"""\
<LoadPlugin network>
  FlushInterval 1
</LoadPlugin>
<Plugin network>
  Server "127.0.0.1" "{port}"
</Plugin>
"""


def poller(workdir, plugin_config, hostname, extra_config=""):
    """harness.Collectd (our plugin, csv, logfile) in its own directory,
    under another Hostname."""
    workdir = pathlib.Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    daemon = Collectd(workdir, plugin_config, extra_config=extra_config)
    text = daemon.config_path.read_text()
    assert 'Hostname "dcdn-test"\n' in text
    daemon.config_path.write_text(text.replace('Hostname "dcdn-test"\n',
                                               f'Hostname "{hostname}"\n', 1))
    return daemon


class Central(Collectd):
    """A central collectd without our plugin: it listens with the network
    plugin and passes what arrives to the writers in extra_config."""

    def __init__(self, workdir, listen_port, extra_config="", hostname="central"):
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.csv_dir = self.workdir / "csv"
        self.log_path = self.workdir / "collectd.log"
        self.config_path = self.workdir / "collectd.conf"
        self.listen_port = listen_port
        self.config_path.write_text(self.preamble(hostname, 1) + f"""\
LoadPlugin network
<Plugin network>
  Listen "127.0.0.1" "{listen_port}"
  Forward false
</Plugin>
{extra_config}
""")
        self.proc = None

    def start(self, env=None):
        super().start(env)
        wait_for(lambda: not self.alive() or self._listening(), timeout=10,
                 what="the central collectd's network listener")
        assert self.alive(), f"central collectd exited:\n{self.log()}"
        return self

    def _listening(self):
        """The UDP socket is bound (binding it again fails)."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("127.0.0.1", self.listen_port))
            except OSError:
                return True
        return False


def wait_for_values(read, expected, timeout=20.0, interval=1.0, what="values"):
    """Polls read() (a dict) until every key of expected is there with
    that value (a number, or a predicate on the value); returns the last
    dict read, or fails with the differences."""
    deadline = time.monotonic() + timeout
    while True:
        got = read() or {}
        diff = {k: got.get(k) for k, want in expected.items()
                if k not in got or not (want(got[k]) if callable(want) else got[k] == want)}
        if not diff:
            return got
        if time.monotonic() > deadline:
            shown = {k: (v, "expected", expected[k] if not callable(expected[k]) else "predicate")
                     for k, v in sorted(diff.items())}
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; "
                                 f"wrong or missing: {shown}")
        time.sleep(interval)


def stop_all(processes):
    """Stops each (by PID), newest first; returns nothing, raises nothing."""
    for proc in reversed(processes):
        try:
            proc.stop()
        except Exception:  # noqa: BLE001 - keep stopping the others
            pass
