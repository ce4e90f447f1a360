"""For a known scenario, the exact count of every (domain, type, status)
lands in collectd's CSV output, over several pages, with either signature
version."""

import collections

import pytest

from accounts import account_block
from harness import wait_for

TYPES = ["file", "directory", "regex", "preload"]
STATUSES = ["Pending", "Refreshing", "Complete", "Failed"]
LOOKBACK = 3600


def build_scenario():
    """130 tasks over three domains inside the Lookback window, five older
    ones outside it, and tasks of a domain nobody configured."""
    tasks = []
    for i in range(135):
        domain = ["a.example.com", "B.Example.com", "other.example.net"][i % 3]
        status = STATUSES[(i // 4) % 4]
        created = -(i * 20 + 30) if i < 130 else -(LOOKBACK + 600 + i)
        state = {"after": 0, "status": status,
                 "process": "100%" if status == "Complete" else "40%"}
        if status == "Failed":
            state["description"] = "OriginTimeout"
        tasks.append({"id": str(7000 + i), "path": f"http://{domain}/obj/{i}.txt",
                      "type": TYPES[i % 4], "created": created, "states": [state]})
    return {"tasks": tasks}


def expected_counts(scenario, configured):
    counts = collections.Counter()
    for t in scenario["tasks"]:
        domain = t["path"].split("/")[2].lower()
        if t["created"] < -LOOKBACK or domain not in configured:
            continue
        status = t["states"][0]["status"].lower()
        if t["type"] in configured[domain]:
            counts[f"dcdn-{domain}/count-{t['type']}-{status}"] += 1
    return counts


@pytest.mark.parametrize("signature_version", [1, 3])
def test_every_count_arrives_exactly(start_simulator, start_collectd, signature_version):
    scenario = build_scenario()
    sim = start_simulator(scenario=scenario)
    configured = {"a.example.com": TYPES, "b.example.com": ["file", "preload"],
                  "c.example.com": TYPES}
    daemon = start_collectd(account_block(
        "prod", sim, domains=["a.example.com", ("b.example.com", ["file", "preload"]),
                              "c.example.com"],
        extra=f"SignatureVersion {signature_version}\nLookback {LOOKBACK}"))
    want = expected_counts(scenario, configured)
    series = {f"dcdn-{d}/count-{t}-{s.lower()}"
              for d, types in configured.items() for t in types for s in STATUSES}

    values = wait_for(lambda: (v := daemon.values()) and series <= v.keys() and v,
                      what="every series in the CSV output")
    counts = {k: v for k, v in values.items() if "/count-" in k and not k.startswith("dcdn-prod/")}
    assert counts == {s: float(want[s]) for s in series}
    assert sum(want.values()) > 50, "the scenario must span several pages"
    pages = {int(r["params"]["PageNumber"]) for r in sim.records("DescribeDcdnRefreshTasks")}
    assert {1, 2, 3} <= pages
    assert {r["sig"] for r in sim.records()} == {f"v{signature_version}"}
    assert all(r["status"] == 200 for r in sim.records())
    assert not daemon.log_lines("[error]")
