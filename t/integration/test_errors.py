"""API errors, bad configuration and transport trouble: one clear log line,
collectd keeps running, no value is invented, the next interval retries."""

import json
import math
import pathlib
import signal
import subprocess
import time

import pytest

from accounts import account_block
from harness import Collectd, wait_for

SECRETS = ("testsecret", "wrongsecret", "secret-two")


def one_task(domain, status="Complete"):
    return {"id": "42", "path": f"http://{domain}/x", "type": "file", "created": -60,
            "states": [{"after": 0, "status": status}]}


def assert_no_secret_in(text):
    for secret in SECRETS:
        assert secret not in text


def test_wrong_secret_is_logged_retried_and_isolated(start_simulator, start_collectd):
    sim = start_simulator(
        scenario={"tasks": [one_task("good.example.com"),
                            dict(one_task("bad.example.com"), id="43")]},
        credentials=("testid:testsecret", "key2:secret-two"))
    daemon = start_collectd(
        account_block("good", sim, domains=["good.example.com"]) + "\n" +
        account_block("bad", sim, key="key2", secret="wrongsecret",
                      domains=["bad.example.com"]))
    errors = wait_for(lambda: len(lines := daemon.log_lines('[error] dcdn plugin: account "bad"'))
                      >= 2 and lines,
                      timeout=30, what="the bad account to fail twice")
    for line in errors:
        assert "[error] dcdn plugin: account \"bad\": DescribeDcdnRefreshTasks failed: " \
               "HTTP 400, Code \"SignatureDoesNotMatch\", RequestId \"" in line
        assert 'RequestId "(none)"' not in line
        assert ', Message "Specified signature is not matched' in line
    good = "dcdn-good.example.com/count-file-complete"
    wait_for(lambda: len(daemon.rows(good)) >= 3, what="the good account to keep reporting")
    assert daemon.values()[good] == 1.0
    assert not any(k.startswith("dcdn-bad.example.com/count-") for k in daemon.values())
    assert math.isnan(daemon.values()["dcdn-bad.example.com/duration-staleness"])
    assert daemon.alive()
    assert_no_secret_in(daemon.log())


@pytest.mark.parametrize("option, value, names", [
    ("Lookback", "30", 'option "Lookback" = 30'),
    ("SignatureVersion", "2", 'option "SignatureVersion" = 2'),
    ("Colour", '"red"', 'option "Colour" = "red": unknown option'),
    ("Endpoint", '"ftp://example.com"', 'option "Endpoint" = "ftp://example.com"'),
])
def test_config_error_stops_the_plugin_and_names_the_problem(tmp_path, option, value, names):
    block = ('<Account "prod">\n AccessKeyId "k"\n AccessKeySecret "testsecret"\n'
             f' {option} {value}\n Domain "a.example.com"\n</Account>')
    code, log = Collectd(tmp_path, block).test_config()
    assert code != 0
    line = next(l for l in log.splitlines() if "dcdn plugin: configuration error" in l)
    assert 'Account "prod"' in line and names in line
    assert "[error] dcdn plugin: " in line
    assert not list((tmp_path / "csv").glob("*/dcdn-*"))
    assert_no_secret_in(log)


def test_a_config_error_stops_the_plugin_but_not_collectd(tmp_path):
    """A bad block keeps every account from starting, and only them: the
    host's own values (here the load plugin's) keep coming."""
    block = ('<Account "prod">\n AccessKeyId "k"\n AccessKeySecret "testsecret"\n'
             ' Lookback 30\n Domain "a.example.com"\n</Account>\n'
             '<Account "other">\n AccessKeyId "k2"\n AccessKeySecret "testsecret"\n'
             ' Domain "b.example.com"\n</Account>')
    daemon = Collectd(tmp_path, block, extra_config="LoadPlugin load\n").start()
    try:
        wait_for(lambda: len(daemon.rows("load/load")) >= 3, what="the load plugin's values")
        assert daemon.alive()
        [line] = daemon.log_lines("dcdn plugin: configuration error")
        assert 'Account "prod"' in line and 'option "Lookback" = 30' in line
        assert "the plugin will not start" in line
        assert not list((tmp_path / "csv").glob("*/dcdn-*"))
        assert not daemon.log_lines("dcdn plugin: version")
    finally:
        daemon.stop()


def test_error_body_with_http_200_is_an_api_error_and_recovers(start_simulator, start_collectd):
    body = json.dumps({"RequestId": "R-200", "HostId": "dcdn.aliyuncs.com",
                       "Code": "InternalError", "Message": "The request processing has failed."})
    sim = start_simulator(scenario={
        "tasks": [one_task("a.example.com")],
        "faults": [{"kind": "body", "http": 200, "body": body, "times": 4}]})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    series = "dcdn-a.example.com/count-file-complete"
    wait_for(lambda: series in daemon.values(), what="recovery after the fault")
    # Four attempts (InternalError is retried with backoff), one error line.
    [line] = daemon.log_lines("[error]")
    assert ('account "prod": DescribeDcdnRefreshTasks failed: HTTP 200, Code "InternalError", '
            'RequestId "R-200", Message "The request processing has failed."') in line


def test_unusable_answers_name_the_problem(start_simulator, start_collectd):
    sim = start_simulator(scenario={
        "tasks": [one_task("a.example.com")],
        "faults": [{"kind": "body", "http": 502, "body": "<html>Bad Gateway</html>", "times": 4},
                   {"kind": "body", "http": 200, "body": '{"TotalCount": "1"}', "times": 4}]})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    wait_for(lambda: "dcdn-a.example.com/count-file-complete" in daemon.values(),
             timeout=30, what="recovery after two bad answers")
    errors = daemon.log_lines("[error]")
    assert any("HTTP 502" in l and "not valid JSON" in l for l in errors), errors
    assert any('field "TotalCount" is missing or not a whole number' in l for l in errors), errors


def test_unknown_status_is_warned_once_and_not_counted(start_simulator, start_collectd):
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
    page = {"RequestId": "R", "PageNumber": 1, "PageSize": 50, "TotalCount": 2, "Tasks": {"Task": [
        {"TaskId": "1", "ObjectPath": "http://a.example.com/1", "ObjectType": "file",
         "Status": "Frozen", "Process": "5%", "CreationTime": created},
        {"TaskId": "2", "ObjectPath": "http://a.example.com/2", "ObjectType": "path",
         "Status": "COMPLETE", "Process": "100", "CreationTime": created}]}}
    sim = start_simulator(scenario={"faults": [
        {"kind": "body", "http": 200, "body": json.dumps(page), "times": 3}]})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    wait_for(lambda: len(sim.records()) >= 3, what="three polls")
    wait_for(lambda: daemon.values().get("dcdn-a.example.com/count-directory-complete") == 1.0,
             what="the directory task (ObjectType path) to be counted")
    assert daemon.values()["dcdn-a.example.com/count-file-pending"] == 0.0
    assert len(daemon.log_lines('unknown Status "Frozen"')) == 1


def test_https_with_cacert_and_refusal_without(tmp_path, start_simulator, start_collectd):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    sim = start_simulator(scenario={"tasks": [one_task("a.example.com"),
                                              dict(one_task("b.example.com"), id="43")]},
                          args=["--tls-cert", str(cert), "--tls-key", str(key)])
    assert sim.url.startswith("https://")
    daemon = start_collectd(
        account_block("trusting", sim, domains=["a.example.com"], extra=f'CACert "{cert}"')
        + "\n" + account_block("default-ca", sim, domains=["b.example.com"]))
    wait_for(lambda: daemon.values().get("dcdn-a.example.com/count-file-complete") == 1.0,
             what="values over TLS")
    line = wait_for(lambda: daemon.log_lines('[error] dcdn plugin: account "default-ca"'),
                    what="the TLS refusal")[0]
    assert f"DescribeDcdnRefreshTasks to {sim.url} failed: " in line
    assert "certificate" in line.lower()
    assert not daemon.log_lines("plain http")


def test_collectd_stops_promptly_while_a_request_hangs(start_simulator, start_collectd):
    sim = start_simulator(scenario={"tasks": [one_task("a.example.com")],
                                    "faults": [{"kind": "delay", "seconds": 30}]})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"],
                                          extra="Timeout 10"))
    # The simulator records a call when it answers: the first read starts
    # with collectd, and its request hangs for 30 s.
    time.sleep(2)
    assert not sim.records()
    began = time.monotonic()
    daemon.proc.send_signal(signal.SIGTERM)
    daemon.proc.wait(timeout=15)
    took = time.monotonic() - began
    assert took < 10 + 2, f"collectd took {took:.1f} s to stop"
    assert not daemon.log_lines("[error] dcdn plugin"), "stopping is not an error"
    # The account's thread gave its poll up and saved the state before it
    # was joined.
    assert (pathlib.Path(sim.workdir) / "state" / "prod.state").is_file()


def test_an_answer_over_max_response_size_is_refused_and_memory_stays_bounded(
        start_simulator, start_collectd):
    tasks = [dict(one_task("a.example.com"), id=str(100 + i),
                  path=f"http://a.example.com/{i}") for i in range(50)]
    sim = start_simulator(scenario={"tasks": tasks})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"],
                                          extra="MaxResponseSize 4096"))
    line = wait_for(lambda: daemon.log_lines("[error] dcdn plugin"), what="the refusal")[0]
    assert 'account "prod": DescribeDcdnRefreshTasks to' in line
    assert "answer larger than 4096 bytes" in line
    assert "dcdn-a.example.com/count-file-complete" not in daemon.values()
    assert daemon.alive()


@pytest.mark.parametrize("secret, ok", [("testsecret", True), ("wrongsecret", False)])
def test_collectd_T_fails_when_the_polls_calls_fail(tmp_path, start_simulator, secret, ok):
    """collectd -T is the check before a restart: a key the API refuses
    makes it exit non-zero (the daemon, by contrast, keeps polling and
    tells the account's health); a good one exits 0."""
    sim = start_simulator(scenario={"tasks": [one_task("a.example.com")]})
    config = Collectd(tmp_path, account_block("prod", sim, secret=secret,
                                              domains=["a.example.com"]))
    config.config_path.chmod(0o600)
    code, log = config.test_config()
    assert (code == 0) == ok, log
    assert sim.records(), "-T made a real poll"
