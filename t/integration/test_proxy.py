"""Proxy, ProxyCredentialsFile and NoProxy through a real proxy: Debian's
tinyproxy on loopback, with Basic authentication, a ConnectPort list and a
host filter. It connects onwards from 127.0.0.2 (its Bind), so the
simulator's record tells a request that came through it (peer 127.0.0.2)
from one that came straight from collectd (127.0.0.1). A password
tinyproxy cannot hold goes to auth-proxy (t/lib/loopback_servers.py),
which records what arrived. One collectd holds
every account configured with Proxy; a second runs with https_proxy and
no_proxy in its environment and no Proxy. Both run at once, and the tests
read what they left behind."""

import os
import pathlib
import re
import socket
import subprocess
import time
import types

import pytest

from accounts import account_block
from certs import make_ca, make_server_cert
from harness import Collectd, Simulator, free_port, refusing_port, stop_pid, wait_for
from loopback_servers import LoopbackServer

TINYPROXY = "/usr/bin/tinyproxy"
SECRET = "testsecret"
PROXY_USER = "dcdn-proxy-user"
PROXY_PASSWORD = "proxy-pw-7f3a91"
WRONG_PASSWORD = "proxy-wrong-c41d"
# For auth-proxy (tinyproxy's BasicAuth holds no such characters): what
# libcurl would URL-decode, or split a user:password at.
ODD_USER = "od%41d@user"
ODD_PASSWORD = "p:a@ss%41w/rd"
VIA_PROXY = "127.0.0.2"  # tinyproxy's Bind: its connections onwards
DIRECT = "127.0.0.1"
FILTERED_HOST = "localhost"  # tinyproxy's filter refuses it
ROLE = "proxy-test-role"

# Accounts of the Proxy collectd that count their tasks, and those that fail.
ASSUMED_ROLE = "acs:ram::1234567890123456:role/proxy-test"
GOOD = ("via-http", "via-https", "https-proxy", "assumed", "odd-password")
REFUSED = ("no-credentials", "bad-password", "bad-password-tls", "port-denied", "filtered",
           "dead", "wrong-ca")


def key(name):
    return f"key-{name}"


def domain(name):
    return f"{name.replace('_', '-')}.example.com"


def finished(task_id, owner):
    """A finished task that only the owner's key sees; the role account's
    is seen by every key (the role's keys are made up by the simulator's
    STS), and only that account reports its domain."""
    task = {"id": str(task_id), "path": f"http://{domain(owner)}/f/{task_id}",
            "type": "file", "created": -120, "key": key(owner),
            "states": [{"after": 0, "status": "Complete"}]}
    if owner == "assumed":
        del task["key"]
    return task


class Tinyproxy:
    """tinyproxy -d with a configuration, log and filter of its own, on a
    free loopback port; stopped by PID."""

    def __init__(self, workdir, connect_port):
        self.workdir = pathlib.Path(workdir)
        self.workdir.mkdir()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.workdir / "tinyproxy.log"
        (self.workdir / "filter").write_text(f"^{FILTERED_HOST}$\n")
        config = self.workdir / "tinyproxy.conf"
        config.write_text(f"""\
Port {self.port}
Listen 127.0.0.1
Bind {VIA_PROXY}
Timeout 30
MaxClients 64
LogFile "{self.log_path}"
LogLevel Connect
Allow 127.0.0.1
BasicAuth {PROXY_USER} {PROXY_PASSWORD}
ConnectPort {connect_port}
Filter "{self.workdir / 'filter'}"
""")
        config.chmod(0o600)
        self.proc = subprocess.Popen([TINYPROXY, "-d", "-c", str(config)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: self.listening() or self.proc.poll() is not None,
                 timeout=10, what="tinyproxy to listen")
        assert self.proc.poll() is None, f"tinyproxy exited:\n{self.log()}"

    def listening(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def requests(self):
        """The request lines it logged: "GET http://..." or "CONNECT host:port"."""
        return re.findall(r"Request \(file descriptor \d+\): (\S+ \S+)", self.log())

    def stop(self):
        return stop_pid(self.proc)


def credentials_file(path, password):
    path.write_text(f"{PROXY_USER}:{password}\n")
    path.chmod(0o600)
    return path


class Setup:
    """Everything the tests read, started once and stopped before they run."""

    def start(self, base):
        self.base = pathlib.Path(base)
        ca, self.other_ca = make_ca(base / "ca", "DCDN proxy test CA"), make_ca(
            base / "other-ca", "DCDN other CA")
        server = make_server_cert(base / "server", ca)
        owners = GOOD + REFUSED + ("env-via", "env-noproxy", "env-no_proxy")
        scenario = {"tasks": [finished(1000 + i, o) for i, o in enumerate(owners)]}
        creds = [f"{key(o)}:{SECRET}" for o in owners]
        self.plain = Simulator(self.dir("sim-plain"), scenario=scenario, credentials=creds,
                               rate_limit=0, args=["--ram-role", ROLE, "--role", ASSUMED_ROLE,
                                                   "--role-lifetime", "3"])
        self.tls = Simulator(self.dir("sim-tls"), scenario=scenario, credentials=creds,
                             rate_limit=0,
                             args=["--tls-cert", str(server[0]), "--tls-key", str(server[1])])
        self.tls_port = int(self.tls.url.rsplit(":", 1)[1])
        self.proxy = Tinyproxy(base / "tinyproxy", self.tls_port)
        relay_cert = make_server_cert(base / "relay-cert", ca)
        self.relay = LoopbackServer(self.dir("relay"), "tls-relay", relay_cert[0],
                                    relay_cert[1], "1.3", f"127.0.0.1:{self.proxy.port}")
        self.https_proxy = f"https://127.0.0.1:{self.relay.port}"
        dead_port, self.dead_socket = refusing_port()
        self.dead_proxy = f"http://127.0.0.1:{dead_port}"
        self.odd_credentials = base / "proxy-credentials-odd"
        self.odd_credentials.write_text(f"{ODD_USER}:{ODD_PASSWORD}\n")
        self.odd_credentials.chmod(0o600)
        self.auth_received = base / "auth-proxy-received"
        self.auth_proxy = LoopbackServer(self.dir("auth-proxy"), "auth-proxy",
                                         self.odd_credentials, self.auth_received)
        self.ca = ca[0]
        good = credentials_file(base / "proxy-credentials", PROXY_PASSWORD)
        wrong = credentials_file(base / "proxy-credentials-wrong", WRONG_PASSWORD)
        self.readable = credentials_file(base / "proxy-credentials-readable", PROXY_PASSWORD)
        self.readable.chmod(0o644)
        self.daemon = self.collectd("collectd-proxy", self.proxied_accounts(good, wrong))
        self.env_daemon = self.collectd("collectd-env", self.environment_accounts())
        self.daemon.start()
        self.env_daemon.start(env={
            "https_proxy": f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{self.proxy.port}",
            "no_proxy": "localhost"})

    def dir(self, name):
        path = self.base / name
        path.mkdir()
        return path

    def collectd(self, name, blocks):
        daemon = Collectd(self.dir(name), "\n".join(blocks), extra_config="ReadThreads 12\n")
        daemon.config_path.chmod(0o600)
        return daemon

    def block(self, name, sim, options, endpoint=None):
        block = account_block(name, sim, key=key(name), secret=SECRET,
                              domains=[(domain(name), ["file"])],
                              extra="CollectQuota false\n" + options)
        if endpoint:
            block = block.replace(f'Endpoint "{sim.url}"', f'Endpoint "{endpoint}"')
        return block

    def proxied_accounts(self, good, wrong):
        p = f'Proxy "{self.proxy.url}"\n'
        auth = p + f'ProxyCredentialsFile "{good}"\n'
        ca = f'CACert "{self.ca}"\n'
        plain_port = self.plain.url.rsplit(":", 1)[1]
        return [
            # V1 puts AccessKeyId in the URL: tinyproxy's log names the account.
            self.block("via-http", self.plain, auth + "SignatureVersion 1"),
            self.block("via-https", self.tls, auth + ca),
            self.block("https-proxy", self.plain,
                       f'Proxy "{self.https_proxy}"\nProxyCredentialsFile "{good}"\n' + ca),
            self.block("no-credentials", self.plain, p),
            self.block("bad-password", self.plain, p + f'ProxyCredentialsFile "{wrong}"'),
            self.block("bad-password-tls", self.tls, p + f'ProxyCredentialsFile "{wrong}"\n' + ca),
            # CONNECT to a port tinyproxy's ConnectPort leaves out.
            self.block("port-denied", self.plain, auth,
                       endpoint=f"https://127.0.0.1:{plain_port}"),
            self.block("filtered", self.plain, auth,
                       endpoint=f"http://{FILTERED_HOST}:{plain_port}"),
            self.block("dead", self.plain, f'Proxy "{self.dead_proxy}"'),
            self.block("odd-password", self.plain,
                       f'Proxy "{self.auth_proxy.url}"\n'
                       f'ProxyCredentialsFile "{self.odd_credentials}"'),
            self.block("wrong-ca", self.tls, auth + f'CACert "{self.other_ca[0]}"'),
            # AssumeRole is reached through the Proxy too, every 1.5 s (the
            # role's keys last 3 s); its ProxyCredentialsFile is mode 0644.
            self.block("assumed", self.plain,
                       p + f'ProxyCredentialsFile "{self.readable}"\n'
                       f'RoleArn "{ASSUMED_ROLE}"\nSTSEndpoint "{self.plain.url}"'),
            # The role's credentials come straight from the metadata service.
            account_block("role", self.plain, domains=[domain("role")],
                          credentials=f'RamRole "{ROLE}"\n'
                                      f'MetadataEndpoint "{self.plain.url}"',
                          extra="CollectQuota false\n" + auth),
        ]

    def environment_accounts(self):
        ca = f'CACert "{self.ca}"\n'
        return [
            self.block("env-via", self.tls, ca),
            self.block("env-noproxy", self.tls, ca + f'NoProxy "{DIRECT}"'),
            self.block("env-no_proxy", self.tls, ca,
                       endpoint=f"https://localhost:{self.tls_port}"),
        ]

    def records(self, sim, owner=None):
        return [r for r in sim.records() if owner is None or r["key"] == key(owner)]

    def errors(self, account):
        return [l for l in self.daemon.log().splitlines()
                if f'[error] dcdn plugin: account "{account}"' in l]

    def done(self):
        counted = lambda d, o: d.values().get(f"dcdn-{domain(o)}/count-file-complete") == 1
        return (all(counted(self.daemon, o) for o in GOOD)
                and all(counted(self.env_daemon, o) for o in
                        ("env-via", "env-noproxy", "env-no_proxy"))
                and all(len(self.errors(o)) >= 2 for o in REFUSED)
                and any(r["status"] == 200 for r in self.role_calls())
                and len(self.assumed()) >= 3)

    def assumed(self):
        return [r for r in self.records(self.plain, "assumed") if r["action"] == "AssumeRole"]

    def role_calls(self):
        """The API calls made with the role's credentials (keys the
        metadata service issued)."""
        return [r for r in self.plain.records() if r["action"] != "metadata"
                and r["key"] and not r["key"].startswith("key-")]

    def stop(self):
        for daemon in (getattr(self, "daemon", None), getattr(self, "env_daemon", None)):
            if daemon is not None:
                daemon.stop()
        for server in ("relay", "auth_proxy", "proxy", "plain", "tls"):
            if hasattr(self, server):
                getattr(self, server).stop()
        if hasattr(self, "dead_socket"):
            self.dead_socket.close()


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    s = Setup()
    try:
        s.start(tmp_path_factory.mktemp("proxy"))
        deadline = time.monotonic() + 30
        while not s.done() and time.monotonic() < deadline and s.daemon.alive():
            time.sleep(0.5)
        s.alive = s.daemon.alive() and s.env_daemon.alive()
    finally:
        s.stop()  # what the tests read stays: logs, records, CSV
    yield s


def test_both_collectds_stayed_alive(setup):
    assert setup.alive, setup.daemon.log()[-3000:] + setup.env_daemon.log()[-3000:]


def test_every_api_call_goes_through_the_proxy(setup):
    """Each call of the account reaches the simulator from the proxy, and
    tinyproxy logged each one (V1 names the key in the URL): as many
    logged requests as calls, no call straight from collectd."""
    calls = setup.records(setup.plain, "via-http")
    assert len(calls) >= 2 and all(r["status"] == 200 for r in calls)
    assert {r["peer"] for r in calls} == {VIA_PROXY}
    logged = [r for r in setup.proxy.requests()
              if r.startswith(f"GET {setup.plain.url}/") and f"AccessKeyId={key('via-http')}&" in r]
    assert len(logged) == len(calls), (len(logged), len(calls))


def test_assume_role_goes_through_the_proxy(setup):
    """STS AssumeRole, made with the account's base key, goes through the
    account's Proxy like its API calls."""
    assumed = setup.assumed()
    assert assumed and all(r["status"] == 200 for r in assumed)
    assert {r["peer"] for r in assumed} == {VIA_PROXY}
    logged = [r for r in setup.proxy.requests()
              if r.startswith(f"GET {setup.plain.url}/") and "Action=AssumeRole" in r]
    assert len(logged) == len(assumed)
    # The role's keys work, through the proxy too.
    assert setup.daemon.values()[f"dcdn-{domain('assumed')}/count-file-complete"] == 1


def test_the_proxy_credentials_file_is_read_once_and_warned_of_once(setup):
    """ProxyCredentialsFile is read at start, once: the AssumeRoles that
    follow (one every 1.5 s) neither read it again nor repeat the warning
    that other users can read it."""
    assert len(setup.assumed()) >= 3
    warned = [l for l in setup.daemon.log().splitlines()
              if f'account "assumed": ProxyCredentialsFile {setup.readable} is readable '
                 'by other users' in l]
    assert len(warned) == 1, warned


def test_https_goes_through_connect_with_the_certificate_verified(setup):
    """HTTPS to the endpoint is tunnelled (CONNECT host:port at the proxy),
    the endpoint's own certificate checked against CACert end to end."""
    calls = setup.records(setup.tls, "via-https")
    assert calls and {r["peer"] for r in calls} == {VIA_PROXY}
    assert f"CONNECT 127.0.0.1:{setup.tls_port}" in setup.proxy.requests()
    assert not setup.errors("via-https")


def test_a_wrong_cacert_still_fails_through_the_proxy(setup):
    """The tunnel does not weaken verification: a CACert that did not sign
    the endpoint's certificate fails, and the line names the proxy."""
    assert not setup.records(setup.tls, "wrong-ca")
    lines = setup.errors("wrong-ca")
    assert lines and all(f"through Proxy {setup.proxy.url} failed" in l and
                         "certificate" in l for l in lines), lines


def test_an_https_proxy_is_verified_with_cacert_and_used(setup):
    """Proxy "https://...": TLS to the proxy itself (a TLS front of
    tinyproxy, its certificate signed by CACert's CA), then the requests."""
    calls = setup.records(setup.plain, "https-proxy")
    assert calls and {r["peer"] for r in calls} == {VIA_PROXY}
    assert not setup.errors("https-proxy")


# tinyproxy 1.11 answers 407 to a request without credentials, but 401 to
# wrong ones.
@pytest.mark.parametrize("account, says", [
    ("no-credentials", "failed: HTTP 407 from Proxy {proxy}: proxy authentication required"),
    ("bad-password", "failed: HTTP 401 from {plain} through Proxy {proxy} with "),
    ("bad-password-tls", "to {tls} through Proxy {proxy} failed: CONNECT tunnel failed, "
                         "response 401"),
    ("port-denied", "to https://127.0.0.1:{port} through Proxy {proxy} failed: "
                    "CONNECT tunnel failed, response 403"),
    ("filtered", "failed: HTTP 403 from http://localhost:{port} through Proxy {proxy} with "),
    ("dead", "to {plain} through Proxy {dead} failed: Failed to connect"),
])
def test_a_refusing_or_dead_proxy_gives_one_clear_line_naming_it(setup, account, says):
    """No or a wrong password (plain, and for CONNECT), a ConnectPort
    denial, a filter denial and a closed port: nothing reaches the API, and
    each failed call gives one error line, always the same, naming the
    proxy."""
    expect = says.format(proxy=setup.proxy.url, dead=setup.dead_proxy, plain=setup.plain.url,
                         tls=setup.tls.url, port=setup.plain.url.rsplit(":", 1)[1])
    assert not setup.records(setup.plain, account) and not setup.records(setup.tls, account)
    lines = setup.errors(account)
    assert len(lines) >= 2, setup.daemon.log()[-2000:]
    # curl's own words carry how long the connect took ("after 0 ms", "after
    # 1 ms"): the same failure, so that figure is not compared.
    texts = {re.sub(r"after \d+ ms", "after N ms", l.split("] ", 2)[2]) for l in lines}
    assert len(texts) == 1, texts
    assert expect in lines[0], lines[0]


@pytest.mark.parametrize("account", ["no-credentials", "bad-password"])
def test_a_proxy_refusing_the_credentials_fails_the_accounts_health(setup, account):
    """407 (no credentials) or tinyproxy's 401 (a wrong password): the proxy
    answers, the endpoint is never reached, and a human must fix the
    ProxyCredentialsFile: one FAILURE notification, at once."""
    lines = [l for l in setup.daemon.log().splitlines()
             if "Notification: severity = FAILURE" in l
             and f"plugin_instance = {account}," in l]
    assert len(lines) == 1, lines
    assert "Proxy" in lines[0] and PROXY_PASSWORD not in lines[0], lines[0]


def test_a_proxy_password_reaches_the_proxy_exactly_as_written(setup):
    """The ProxyCredentialsFile's line is sent as written: a user and a
    password holding '%', ':', '@' and '/' (libcurl URL-decodes proxy
    credentials it is given) reach the proxy unchanged, on every call, and
    the calls go through."""
    received = setup.auth_received.read_text().splitlines()
    calls = setup.records(setup.plain, "odd-password")
    assert received and set(received) == {f"{ODD_USER}:{ODD_PASSWORD}"}, received
    assert calls and all(r["status"] == 200 for r in calls)
    assert len(received) == len(calls)
    assert not setup.errors("odd-password")


def test_the_metadata_service_is_never_proxied(setup):
    """With Proxy set, the role's credentials come straight from the
    metadata service (127.0.0.1), while the API calls made with them go
    through the proxy."""
    records = setup.plain.records()
    metadata = [r for r in records if r["action"] == "metadata"]
    assert metadata and {r["peer"] for r in metadata} == {DIRECT}
    with_role = setup.role_calls()
    assert with_role and {r["peer"] for r in with_role} == {VIA_PROXY}
    assert any(r["status"] == 200 for r in with_role)
    assert not [l for l in setup.proxy.log().splitlines() if "/latest/" in l]


def test_https_proxy_of_the_environment_is_honoured_without_proxy(setup):
    """No Proxy option: collectd's https_proxy is libcurl's, and used."""
    calls = setup.records(setup.tls, "env-via")
    assert calls and {r["peer"] for r in calls} == {VIA_PROXY}


def test_no_proxy_option_and_variable_bypass_the_environments_proxy(setup):
    """NoProxy "127.0.0.1" bypasses https_proxy for its account; the
    environment's no_proxy ("localhost") still holds for an account that
    sets no NoProxy."""
    for account in ("env-noproxy", "env-no_proxy"):
        calls = setup.records(setup.tls, account)
        assert calls and {r["peer"] for r in calls} == {DIRECT}, account
    assert not [l for l in setup.env_daemon.log().splitlines() if "[error]" in l]


def test_the_proxy_password_is_in_no_log_line(setup):
    """No password (right, wrong or odd) appears in collectd's logs,
    tinyproxy's, auth-proxy's or the simulators'."""
    logs = [setup.daemon.log(), setup.env_daemon.log(), setup.proxy.log()]
    logs += [(s.workdir / "sim.log").read_text() for s in (setup.plain, setup.tls)]
    logs += [p.read_text() for d in ("relay", "auth-proxy")
             for p in (setup.base / d).glob("*.log")]
    for text in logs:
        assert PROXY_PASSWORD not in text and WRONG_PASSWORD not in text
        assert ODD_PASSWORD not in text


@pytest.mark.parametrize("kind", ["fifo", "no-colon", "missing"])
def test_an_unusable_credentials_file_is_a_clear_error_at_start(tmp_path, kind):
    """A FIFO (refused at once, never waited on), a file that is not one
    line user:password (its text never shown), or no file: an error naming
    ProxyCredentialsFile and the path, and the account does not start."""
    path = tmp_path / "proxy-credentials"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "no-colon":
        path.write_text(PROXY_PASSWORD + "\n")
        path.chmod(0o600)
    endpoint = types.SimpleNamespace(url="http://127.0.0.1:9", workdir=tmp_path)
    daemon = Collectd(tmp_path, account_block(
        "unusable", endpoint, domains=[domain("unusable")],
        extra=f'Proxy "http://127.0.0.1:9"\nProxyCredentialsFile "{path}"'))
    daemon.config_path.chmod(0o600)
    started = time.monotonic()
    code, log = daemon.test_config()
    assert time.monotonic() - started < 20
    assert code != 0
    lines = [l for l in daemon.log().splitlines()
             if f'[error] dcdn plugin: account "unusable": ProxyCredentialsFile {path}: ' in l]
    assert len(lines) == 1, daemon.log()
    why = {"fifo": "not a regular file", "no-colon": "one line user:password",
           "missing": "No such file"}[kind]
    assert why in lines[0], lines[0]
    assert PROXY_PASSWORD not in log
