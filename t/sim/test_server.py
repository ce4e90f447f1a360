"""The process around the API: CLI, TLS, rate limiting, the record file,
fault injection, signals, scenario files and the bulk generator."""

import base64
import http.client
import json
import re
import signal
import subprocess
import sys
import time

import pytest

from simclient import SCENARIOS, SIMULATOR, launch
from dcdn_simulator.errors import ERRORS
from dcdn_simulator.scenario import DEFAULT_SCENARIO, ScenarioError, load_scenario

LIST = "DescribeDcdnRefreshTasks"


def test_first_line_names_the_real_port_and_sigint_stops_cleanly(tmp_path):
    sim = launch(tmp_path)
    assert re.fullmatch(r"http://127\.0\.0\.1:[1-9]\d*", sim.url)
    assert sim.call().status == 200
    assert sim.stop(signal.SIGINT) == 0


def test_sigterm_stops_cleanly_with_a_connection_open(tmp_path):
    sim = launch(tmp_path)
    conn = sim.connection()
    conn.connect()     # an idle keep-alive client must not hold the shutdown up
    try:
        began = time.monotonic()
        assert sim.stop(signal.SIGTERM) == 0
        assert time.monotonic() - began < 2
    finally:
        conn.close()


def test_log_has_one_line_per_request_and_no_secrets(tmp_path):
    sim = launch(tmp_path, args=["--credentials", "STS.k:topsecret:tokensecret"])
    sim.call(key="STS.k", secret="topsecret", token="tokensecret", sig="v1")
    sim.call(key="STS.k", secret="topsecret", token="tokensecret")
    sim.call(key="STS.k", secret="wrong")
    assert sim.stop() == 0
    log = sim.log()
    lines = [line for line in log.splitlines() if LIST in line]
    assert len(lines) == 3
    assert "SignatureDoesNotMatch" in lines[2]
    assert "topsecret" not in log and "tokensecret" not in log


def test_tls(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    sim = launch(tmp_path, args=["--tls-cert", str(cert), "--tls-key", str(key)])
    try:
        assert sim.url.startswith("https://127.0.0.1:")
        for sig in ("v1", "v3"):
            resp = sim.call(sig=sig)
            assert resp.status == 200, resp
            assert resp.json["TotalCount"] > 0
        # A plain-HTTP client gets no answer, and the server keeps serving.
        plain = http.client.HTTPConnection(sim.host, sim.port, timeout=3)
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            plain.request("GET", "/")
            plain.getresponse()
        plain.close()
        assert sim.call().status == 200
    finally:
        assert sim.stop() == 0


def test_bad_tls_files_exit_non_zero(tmp_path):
    missing = str(tmp_path / "none.pem")
    proc = launch(tmp_path, args=["--tls-cert", missing, "--tls-key", missing], expect_ready=False)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 1 and "TLS" in err


def records_first_t(sim):
    return sim.records()[0]["t"]


def max_in_any_window(times, window=1.0):
    times = sorted(times)
    return max((sum(1 for u in times[i:] if u - t < window) for i, t in enumerate(times)), default=0)


@pytest.mark.parametrize("code_option,status,code", [
    ([], 429, "TooManyRequests"),
    (["--throttle-code", "Throttling.User"], 400, "Throttling.User"),
])
def test_rate_limit_and_record(start_sim, code_option, status, code):
    sim = start_sim(args=code_option + ["--credentials", "testid:testsecret", "--credentials", "k2:s2"],
                    rate_limit="5")
    results = [sim.call(params={"PageSize": 1}) for _ in range(8)]
    # Another key has its own budget.
    assert sim.call(key="k2", secret="s2").status == 200
    assert [r.status for r in results[:5]] == [200] * 5
    for resp in results[5:]:
        assert (resp.status, resp.code) == (status, code)
        assert resp.json["Message"] == ERRORS[code][1]
    # The window slides: a second after the first accepted call there is room again.
    time.sleep(max(0.0, records_first_t(sim) + 1.02 - time.time()))
    assert sim.call().status == 200

    records = sim.records()
    assert len(records) == 10
    first = records[0]
    assert set(first) >= {"t", "key", "action", "method", "sig", "params", "status", "code"}
    assert (first["key"], first["action"], first["method"], first["sig"]) == ("testid", LIST, "POST", "v3")
    assert first["params"] == {"PageSize": "1"} and first["code"] is None and first["status"] == 200
    assert [r["status"] for r in records[:8]] == [200] * 5 + [status] * 3
    assert [r["code"] for r in records[5:8]] == [code] * 3
    accepted = [r["t"] for r in records if r["key"] == "testid" and r["status"] == 200]
    assert max_in_any_window(accepted) <= 5
    assert all(records[i]["t"] <= records[i + 1]["t"] for i in range(len(records) - 1))


def test_rate_limit_zero_disables_it_and_fractions_work(start_sim):
    unlimited = start_sim(rate_limit="0")
    assert all(unlimited.call().status == 200 for _ in range(12))
    slow = start_sim(rate_limit="1.5")
    assert [slow.call().status for _ in range(3)] == [200, 429, 429]


def fault_sim(start_sim, *faults, **kw):
    return start_sim({"tasks": [{"id": "1", "path": "http://a.example.com/x", "created": -5}],
                      "faults": list(faults)}, **kw)


def test_status_fault_applies_a_number_of_times_to_its_key_and_action(start_sim):
    sim = fault_sim(start_sim, {"kind": "status", "key": "testid", "action": LIST, "times": 2,
                                "http": 503, "code": "ServiceUnavailable"},
                    args=["--credentials", "testid:testsecret", "--credentials", "k2:s2"])
    assert sim.call("DescribeDcdnRefreshQuota").status == 200        # other action
    assert sim.call(key="k2", secret="s2").status == 200             # other key
    first, second, third = (sim.call() for _ in range(3))
    for resp in (first, second):
        assert (resp.status, resp.code) == (503, "ServiceUnavailable")
        assert set(resp.json) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert third.status == 200
    assert [r["fault"] for r in sim.records()] == [None, None, "status", "status", None]


def test_status_fault_with_http_200_and_a_code(start_sim):
    sim = fault_sim(start_sim, {"kind": "status", "http": 200, "code": "InternalError", "message": "boom"})
    resp = sim.call()
    assert (resp.status, resp.code, resp.json["Message"]) == (200, "InternalError", "boom")


def test_fault_time_window(start_sim):
    sim = fault_sim(start_sim,
                    {"kind": "status", "from": 3600, "code": "ServiceUnavailable"},
                    {"kind": "status", "to": -1, "code": "ServiceUnavailable"},
                    {"kind": "status", "from": -10, "to": 3600, "http": 500, "code": "InternalError",
                     "times": 1})
    assert sim.call().code == "InternalError"
    assert sim.call().status == 200


def test_body_faults(start_sim):
    sim = fault_sim(start_sim,
                    {"kind": "body", "http": 502, "body": "<html><body>Bad Gateway</body></html>", "times": 1},
                    {"kind": "body", "http": 200, "body": '{"RequestId":"X","Tasks":{"Ta', "times": 1})
    html = sim.call()
    assert html.status == 502 and html.headers["Content-Type"] == "text/html"
    assert html.body == b"<html><body>Bad Gateway</body></html>"
    truncated = sim.call()
    assert truncated.status == 200 and truncated.body == b'{"RequestId":"X","Tasks":{"Ta'
    with pytest.raises(json.JSONDecodeError):
        truncated.json
    assert sim.call().status == 200


def test_delay_fault(start_sim):
    sim = fault_sim(start_sim, {"kind": "delay", "seconds": 0.6, "times": 1})
    slow = sim.call()
    assert slow.status == 200 and slow.elapsed >= 0.6
    assert sim.call().elapsed < 0.5


def test_reset_faults(start_sim):
    sim = fault_sim(start_sim, {"kind": "reset", "times": 1}, {"kind": "reset", "body_bytes": 10, "times": 1})
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        sim.call()
    with pytest.raises((ConnectionError, http.client.IncompleteRead)):
        sim.call()
    assert sim.call().status == 200
    records = sim.records()
    assert [(r["fault"], r["status"]) for r in records] == [("reset", None), ("reset", None), (None, 200)]


def test_trickle_fault_spreads_the_real_answer_over_its_seconds(start_sim):
    sim = fault_sim(start_sim, {"kind": "trickle", "seconds": 1.0, "times": 1})
    slow = sim.call()
    assert slow.status == 200 and slow.json["TotalCount"] == 1
    assert slow.elapsed >= 0.9
    assert sim.call().elapsed < 0.5
    assert [r["fault"] for r in sim.records()] == ["trickle", None]


def test_body_base64_fault_sends_any_bytes(start_sim):
    raw = b'{"RequestId":"\xff\xfe"}'             # not UTF-8
    sim = fault_sim(start_sim, {"kind": "body", "body_base64": base64.b64encode(raw).decode(),
                                "times": 1})
    resp = sim.call()
    assert resp.status == 200 and resp.body == raw
    assert resp.headers["Content-Type"].startswith("application/json")


def shift_sim(start_sim, count):
    tasks = [{"id": str(10 + i), "path": f"http://a.example.com/{i}", "created": -100 + i}
             for i in range(5)]
    return start_sim({"tasks": tasks, "faults": [{"kind": "shift", "count": count, "times": 1}]})


def page_ids(sim, number):
    resp = sim.call(params={"PageSize": "2", "PageNumber": str(number)})
    return [t["TaskId"] for t in resp.json["Tasks"]["Task"]]


def test_shift_fault_repeats_tasks_of_the_page_before(start_sim):
    # As when a task is created between two page calls: newest first, so
    # page 2 starts with the last task of page 1.
    sim = shift_sim(start_sim, 1)
    assert page_ids(sim, 1) == ["14", "13"]      # page 1: never shifted
    assert page_ids(sim, 2) == ["13", "12"]
    assert page_ids(sim, 2) == ["12", "11"]      # times: 1
    assert [r["fault"] for r in sim.records()] == [None, "shift", None]


def test_fault_chance_applies_to_about_that_share(start_sim):
    sim = fault_sim(start_sim, {"kind": "status", "code": "ServiceUnavailable", "chance": 0.3})
    codes = [sim.call("DescribeDcdnRefreshQuota").code for _ in range(200)]
    faulty = codes.count("ServiceUnavailable")
    assert 30 <= faulty <= 90, faulty            # 60 expected; far outside is a bug
    assert faulty + codes.count(None) == 200


def test_faults_see_unverified_requests_too(start_sim):
    # A fault models the network or the gateway, so it hits before any check.
    sim = fault_sim(start_sim, {"kind": "status", "code": "ServiceUnavailable", "times": 1})
    assert sim.call(secret="wrong").code == "ServiceUnavailable"
    assert sim.call(secret="wrong").code == "SignatureDoesNotMatch"


# -- scenarios -----------------------------------------------------------------

BAD_SCENARIOS = [
    ({"tasks": [{"id": "x1", "path": "http://a/"}]}, 'tasks[0]: "id" must be a string of digits'),
    ({"tasks": [{"id": "1", "path": "http://a/", "type": "dir"}]}, 'tasks[0]: "type" must be one of'),
    ({"tasks": [{"id": "1", "path": "http://a/", "states": [{"after": 5, "status": "Complete"}]}]},
     'the first state must have "after": 0'),
    ({"tasks": [{"id": "1", "path": "http://a/"}, {"id": "1", "path": "http://b/"}]}, "duplicate task id 1"),
    ({"tasks": [{"id": "1", "path": "http://a/", "creatd": 5}]}, "unknown member(s) creatd"),
    ({"faults": [{"kind": "explode"}]}, 'faults[0]: "kind" must be one of'),
    ({"faults": [{"kind": "body"}]}, 'needs exactly one of "body" and "body_base64"'),
    ({"faults": [{"kind": "body", "body_base64": "%%"}]}, '"body_base64" must be base64'),
    ({"faults": [{"kind": "status", "chance": 0}]}, '"chance" must be more than 0'),
    ({"faults": [{"kind": "shift", "count": 0}]}, '"count" must be at least 1'),
    ({"faults": [{"kind": "trickle"}]}, '"seconds" must be a number'),
    ({"generate": [{"count": 3}]}, 'generate[0]: "domains" must be'),
    ({"taks": []}, "unknown member(s) taks"),
]


def test_bad_scenarios_are_refused_naming_the_problem():
    for scenario, message in BAD_SCENARIOS:
        with pytest.raises(ScenarioError) as err:
            load_scenario(scenario, 0)
        assert message in str(err.value), scenario


def test_bad_scenario_exits_2(tmp_path):
    scenario, message = BAD_SCENARIOS[0]
    proc = launch(tmp_path, scenario, expect_ready=False)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 2 and out == ""
    assert message in err


def test_unreadable_scenario(tmp_path):
    proc = subprocess.run([sys.executable, str(SIMULATOR), "--scenario", str(tmp_path / "nope.json")],
                          capture_output=True, text=True, timeout=10)
    assert proc.returncode == 2 and "nope.json" in proc.stderr


def test_dump_default_scenario_is_valid():
    out = subprocess.run([sys.executable, str(SIMULATOR), "--dump-default-scenario"],
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == DEFAULT_SCENARIO
    scenario = load_scenario(json.loads(out), 0)
    statuses = {t.state_at(0).status for t in scenario.tasks}
    assert {"Complete", "Failed", "Refreshing"} <= statuses
    assert {t.domain for t in scenario.tasks} == {"www.example.com", "img.example.com", "static.example.org"}
    assert {t.type for t in scenario.tasks} == {"file", "directory", "regex", "preload"}


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.json")), ids=lambda p: p.name)
def test_shipped_scenarios_load(path):
    load_scenario(json.loads(path.read_text()), int(time.time()))


def test_generate_rule():
    spec = {"count": 7, "domains": ["a.example.com", "b.example.com"], "types": ["file", "regex", "preload"],
            "created_from": -600, "created_to": -0, "status": ["Complete", "Failed"], "id_start": 50,
            "seed": 3, "description": "OriginTimeout"}
    tasks = load_scenario({"generate": [spec]}, 1000).tasks
    assert [t.task_id for t in tasks] == [str(50 + i) for i in range(7)]
    assert [t.domain for t in tasks] == ["a.example.com", "b.example.com"] * 3 + ["a.example.com"]
    assert [t.type for t in tasks] == ["file", "file", "regex", "regex", "preload", "preload", "file"]
    assert [t.created_at - 1000 for t in tasks] == [-600, -500, -400, -300, -200, -100, 0]
    assert [t.state_at(2000).status for t in tasks] == ["Complete", "Failed"] * 3 + ["Complete"]
    assert tasks[1].state_at(2000).description == "OriginTimeout"
    assert tasks[0].state_at(2000).description == ""
    assert all(t.path.startswith(f"http://{t.domain}/") for t in tasks)
    # The seed only changes path names.
    other = load_scenario({"generate": [dict(spec, seed=4)]}, 1000).tasks
    assert [(t.task_id, t.domain, t.type, t.created_at) for t in other] == \
        [(t.task_id, t.domain, t.type, t.created_at) for t in tasks]


def test_generated_tasks_through_the_api(start_sim):
    sim = start_sim({"generate": [{"count": 120, "domains": ["a.example.com", "b.example.com"],
                                   "types": ["file", "directory", "regex", "preload"],
                                   "created_from": -3000, "created_to": -60, "id_start": 500000, "seed": 1}]})
    body = sim.call(params={"PageSize": 50, "PageNumber": 3}).json
    assert body["TotalCount"] == 120
    assert [t["TaskId"] for t in body["Tasks"]["Task"]] == [str(500019 - i) for i in range(20)]
    # i % 2 == 0 -> a.example.com; (i // 2) % 4 == 1 -> directory: i % 8 in {2}: 15 tasks.
    resp = sim.call(params={"ObjectType": "directory", "DomainName": "a.example.com", "PageSize": 50})
    assert resp.json["TotalCount"] == 15
    assert {t["ObjectType"] for t in resp.json["Tasks"]["Task"]} == {"path"}
