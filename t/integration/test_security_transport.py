"""The transport's guarantees, with the real collectd: the ECS metadata
service is never reached through a proxy, CACert is the only trust for the
endpoint's certificate, and TLS below 1.2 is refused even where OpenSSL's
configuration allows it."""

import os
import subprocess
import types

import harness
from accounts import account_block
from certs import hashed_cert_dir, make_ca, make_server_cert, with_cert_dir
from harness import wait_for
from loopback_servers import LoopbackServer

A, B = "dcdn-a.example.com/count-file-complete", "dcdn-b.example.com/count-file-complete"
TASKS = {"tasks": [{"id": "1", "path": "http://a.example.com/x", "created": -60},
                   {"id": "2", "path": "http://b.example.com/y", "created": -60}]}
PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                   "all_proxy", "ALL_PROXY")


def at(url, sim):
    """Where account_block points an account: url, with sim's state dir."""
    return types.SimpleNamespace(url=url, workdir=sim.workdir)


def started(server, request):
    request.addfinalizer(server.stop)
    return server


def errors(daemon, account):
    return daemon.log_lines(f'[error] dcdn plugin: account "{account}"')


def test_role_credentials_never_go_through_an_environment_proxy(tmp_path, request,
                                                                start_simulator,
                                                                start_collectd):
    proxy_log = tmp_path / "proxy.log"
    proxy = started(LoopbackServer(tmp_path, "record", proxy_log), request)
    sim = start_simulator(scenario=TASKS, args=["--ram-role", "collectd"])
    port = sim.url.rsplit(":", 1)[1]
    # Every proxy variable names the recorder, and no_proxy excludes only
    # "localhost": account "role" calls the API by that name, and the
    # metadata service by 127.0.0.1, which the proxy variables cover. The
    # API calls of account "proxied" show that collectd does see them.
    env = {name: proxy.url for name in PROXY_VARIABLES}
    env.update(no_proxy="localhost", NO_PROXY="localhost")
    daemon = start_collectd(
        account_block("role", at(f"http://localhost:{port}", sim), domains=["a.example.com"],
                      credentials=f'RamRole "collectd"\nMetadataEndpoint "{sim.url}"')
        + "\n" + account_block("proxied", sim, domains=["b.example.com"]), env=env)
    wait_for(lambda: daemon.rows(A) or "/latest/" in read(proxy_log), timeout=20,
             what="counts of account role, or a metadata request at the proxy")
    api_call = f"GET http://127.0.0.1:{port}/?"
    wait_for(lambda: api_call in read(proxy_log), what="account proxied's API call at the proxy")
    seen = read(proxy_log).splitlines()
    assert not [line for line in seen if "/latest/" in line], seen[:5]
    assert all(line.startswith(api_call) for line in seen), seen[:5]
    assert daemon.rows(A)
    assert not errors(daemon, "role")
    assert sim.records("metadata"), "the metadata service was asked directly"


def read(path):
    return path.read_text() if path.exists() else ""


def test_cacert_is_the_only_trust_for_the_endpoint(tmp_path, monkeypatch, start_simulator,
                                                   start_collectd):
    ca_a = make_ca(tmp_path / "ca-a", "DCDN test CA A")
    ca_b = make_ca(tmp_path / "ca-b", "DCDN test CA B")
    cert, key = make_server_cert(tmp_path / "server", ca_a)
    sim = start_simulator(scenario=TASKS, args=["--tls-cert", str(cert), "--tls-key", str(key)])
    # The machine's CA directory trusts CA A: for these processes only, in
    # a mount namespace, so the machine's own is never touched.
    certs = hashed_cert_dir(tmp_path / "certs", ca_a[0])
    curl = with_cert_dir(tmp_path, certs, "/usr/bin/curl")
    check = subprocess.run([str(curl), "-sS", "-o", "/dev/null", "--cacert", str(ca_b[0]),
                            sim.url + "/"], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, f"libcurl does not read the CA directory: {check.stderr}"
    monkeypatch.setattr(harness, "COLLECTD", str(with_cert_dir(tmp_path, certs,
                                                               harness.COLLECTD)))
    daemon = start_collectd(
        account_block("ca-b", sim, domains=["a.example.com"], extra=f'CACert "{ca_b[0]}"')
        + "\n" + account_block("ca-a", sim, domains=["b.example.com"],
                               extra=f'CACert "{ca_a[0]}"'))
    wait_for(lambda: daemon.values().get(B) == 1.0, what="counts through CA A")
    line = wait_for(lambda: errors(daemon, "ca-b"), what="the refusal with CA B")[0]
    assert f"DescribeDcdnRefreshTasks to {sim.url} failed: " in line, line
    assert "certificate" in line.lower(), line
    assert A not in daemon.values()
    assert not errors(daemon, "ca-a")


WEAK_OPENSSL_CONF = """\
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1
CipherString = DEFAULT:@SECLEVEL=0
"""


def test_tls_below_1_2_is_refused_even_where_openssl_allows_it(tmp_path, request,
                                                              start_simulator,
                                                              start_collectd):
    ca = make_ca(tmp_path / "ca", "DCDN test CA")
    cert, key = make_server_cert(tmp_path / "server", ca)
    sim = start_simulator(scenario=TASKS)
    upstream = sim.url.removeprefix("http://")
    old = started(LoopbackServer(tmp_path, "tls-relay", cert, key, "1.1", upstream), request)
    new = started(LoopbackServer(tmp_path, "tls-relay", cert, key, "1.2", upstream), request)
    old_url, new_url = (f"https://127.0.0.1:{s.port}" for s in (old, new))
    # An OpenSSL configuration that still allows TLS 1.0 and 1.1 (as an
    # administrator may have set one): libcurl itself then speaks TLS 1.1.
    weak = tmp_path / "openssl.cnf"
    weak.write_text(WEAK_OPENSSL_CONF)
    env = {"OPENSSL_CONF": str(weak)}
    check = subprocess.run(["curl", "-sS", "-o", "/dev/null", "--cacert", str(ca[0]),
                            old_url + "/"], capture_output=True, text=True, timeout=30,
                           env={**os.environ, **env})  # not collectd's: no sanitizer preload
    assert check.returncode == 0, f"no TLS 1.1 with this configuration: {check.stderr}"
    daemon = start_collectd(
        account_block("tls11", at(old_url, sim), domains=["a.example.com"],
                      extra=f'CACert "{ca[0]}"')
        + "\n" + account_block("tls12", at(new_url, sim), domains=["b.example.com"],
                               extra=f'CACert "{ca[0]}"'), env=env)
    wait_for(lambda: daemon.values().get(B) == 1.0, what="counts over TLS 1.2")
    line = wait_for(lambda: errors(daemon, "tls11"), what="the refusal of TLS 1.1")[0]
    assert f"DescribeDcdnRefreshTasks to {old_url} failed: " in line, line
    assert "protocol version" in line or "unsupported protocol" in line, line
    assert A not in daemon.values()
    assert not errors(daemon, "tls12")
