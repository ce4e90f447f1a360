"""The simulator as a sandbox with the real collectd: a purge and a
prefetch submitted to the simulator with the official Node SDK
(@alicloud/dcdn20180115, through t/interop/sdk-purge.js, as a deploy
pipeline would) show up in the plugin's values as pending, then
refreshing, then complete, and the quota's remain values go down by what
was submitted. The SDK is t/interop's pinned one: t/run installs it (npm
ci) before pytest runs; without it this test fails, saying so."""

import json
import os
import shutil
import subprocess

from accounts import account_block
from harness import ROOT, wait_for

DOMAIN = "www.example.com"
STATES = [{"after": 0, "status": "Pending", "process": "0%"},
          {"after": 3, "status": "Refreshing", "process": "50%"},
          {"after": 6, "status": "Complete", "process": "100%"}]
SCENARIO = {"quota": {"UrlRemain": "500", "PreloadRemain": "40"},
            "submissions": {"states": {"file": STATES, "preload": STATES}}}
INTEROP = ROOT / "t" / "interop"
SDK_PURGE = INTEROP / "sdk-purge.js"


def sdk_ready():
    """node and the pinned SDK, or an assertion that says what is missing."""
    node = shutil.which("node")
    assert node, "node is not installed (contrib/install-deps --test installs nodejs)"
    sdk = INTEROP / "node_modules" / "@alicloud" / "dcdn20180115" / "package.json"
    assert sdk.is_file(), (f"{INTEROP}/node_modules lacks the official SDK: run "
                           f"`npm ci --no-audit --no-fund` in {INTEROP} (t/run does, before pytest)")
    pinned = json.loads((INTEROP / "package.json").read_text())["dependencies"]["@alicloud/dcdn20180115"]
    assert json.loads(sdk.read_text())["version"] == pinned, f"{sdk}: not the pinned {pinned}: npm ci"
    return node


def submit(sim, action, *params):
    """The official SDK's call, as a deploy pipeline makes it; returns the answer."""
    run = subprocess.run([sdk_ready(), str(SDK_PURGE), "--endpoint", sim.url,
                          "--credentials", "testid:testsecret", action, *params],
                         capture_output=True, text=True, timeout=30, env=dict(os.environ))
    assert run.returncode == 0, run.stdout + run.stderr
    answer = json.loads(run.stdout)
    assert set(answer) == {"RequestId", "RefreshTaskId" if action.startswith("Refresh") else "PreloadTaskId"}
    return answer


def series(daemon, name):
    return daemon.values().get(f"dcdn-{DOMAIN}/{name}")


def statuses(daemon, typ):
    return tuple(series(daemon, f"count-{typ}-{s}") for s in ("pending", "refreshing", "complete"))


def test_a_submitted_purge_goes_pending_then_complete_and_the_quota_down(start_simulator,
                                                                         start_collectd):
    sdk_ready()
    sim = start_simulator(scenario=SCENARIO)
    daemon = start_collectd(account_block("sandbox", sim, domains=[(DOMAIN, ["file", "preload"])]))
    wait_for(lambda: daemon.values().get("dcdn-sandbox/count-remain-url") == 500 and
             statuses(daemon, "file") == (0, 0, 0), what="the first poll, nothing submitted")

    answer = submit(sim, "RefreshDcdnObjectCaches", "ObjectType=File",
                    f"ObjectPath=http://{DOMAIN}/index.html\\nhttp://{DOMAIN}/app.js")
    assert len(answer["RefreshTaskId"].split(",")) == 2
    prefetch = submit(sim, "PreloadDcdnObjectCaches", f"ObjectPath=http://{DOMAIN}/v.mp4")
    assert prefetch["PreloadTaskId"].isdigit()
    # Made by the SDK (signature V3; the plugin never calls these actions).
    calls = sim.records("RefreshDcdnObjectCaches") + sim.records("PreloadDcdnObjectCaches")
    assert [(r["action"], r["sig"], r["code"]) for r in calls] == [
        ("RefreshDcdnObjectCaches", "v3", None), ("PreloadDcdnObjectCaches", "v3", None)]
    assert calls[0]["params"]["ObjectPath"] == f"http://{DOMAIN}/index.html\nhttp://{DOMAIN}/app.js"

    wait_for(lambda: statuses(daemon, "file") == (2, 0, 0), timeout=5, what="two pending purges")
    assert statuses(daemon, "preload") == (1, 0, 0)
    wait_for(lambda: statuses(daemon, "file") == (0, 2, 0), timeout=6, what="two refreshing purges")
    assert series(daemon, "percent-file-progress") == 50
    wait_for(lambda: statuses(daemon, "file") == (0, 0, 2), timeout=6, what="two complete purges")
    wait_for(lambda: statuses(daemon, "preload") == (0, 0, 1), timeout=3, what="the prefetch complete")
    assert series(daemon, "total_operations-file-completed") == 2
    # Complete 6 s after creation, seen by the next poll; the poll's time is
    # the API's clock, known to a second (its answers' Date), so 5 to 8 s.
    assert 5 <= series(daemon, "duration-file-completion_mean") <= 8

    values = daemon.values()
    assert values["dcdn-sandbox/count-remain-url"] == 498
    assert values["dcdn-sandbox/count-quota-url"] == 10000
    assert values["dcdn-sandbox/count-remain-preload"] == 39
    remain = [v for _, v in daemon.rows("dcdn-sandbox/count-remain-url")]
    assert remain[0] == 500 and remain[-1] == 498 and remain == sorted(remain, reverse=True)


def test_the_sdk_script_tells_an_error_answer_from_a_submission(start_simulator):
    """An API error is exit 1 with its Code, also when the service sends it
    with HTTP 200 (the SDK's typed answer would drop the Code); a refused
    parameter is the API's error too."""
    sim = start_simulator(scenario={**SCENARIO, "faults": [
        {"kind": "status", "http": 200, "code": "InternalError",
         "action": "PreloadDcdnObjectCaches", "times": 1}]})

    def run(action, *params):
        return subprocess.run([sdk_ready(), str(SDK_PURGE), "--endpoint", sim.url,
                               "--credentials", "testid:testsecret", action, *params],
                              capture_output=True, text=True, timeout=30, env=dict(os.environ))
    first = run("PreloadDcdnObjectCaches", f"ObjectPath=http://{DOMAIN}/v.mp4")
    assert first.returncode == 1, first.stdout + first.stderr
    assert json.loads(first.stdout)["Code"] == "InternalError"
    again = run("PreloadDcdnObjectCaches", f"ObjectPath=http://{DOMAIN}/v.mp4")
    assert again.returncode == 0 and "PreloadTaskId" in json.loads(again.stdout)
    bad = run("RefreshDcdnObjectCaches", "ObjectType=Nonsense", f"ObjectPath=http://{DOMAIN}/a")
    assert bad.returncode == 1 and json.loads(bad.stdout)["Code"], bad.stdout + bad.stderr
    usage = run("DescribeDcdnRefreshTasks")
    assert usage.returncode == 2 and "the action is one of" in usage.stderr
