"""contrib/demo as a user runs it (shortened: 10 s, Interval 2), with the
plugin already built: the real collectd against the simulator, one account
of each product the plugin reads (DCDN, CDN and ESA), the purges (DCDN's
with the official Node SDK, CDN's and ESA's with the simulator's client),
the tables it prints and the graphs it draws."""

import json
import os
import re
import subprocess

import pytest

from harness import COLLECTD_PRELOAD, PLUGIN_DIR, ROOT

ROW = re.compile(r"^  (dcdn|cdn|esa) +(\S+) +(\S+) +(\d+) +(\d+) +(\d+) +(\d+)$")
STATUSES = ("pending", "refreshing", "complete", "failed")


def scenario_count(product):
    """The tasks of product that contrib/scenarios/demo.json generates
    (before the run: the timeline's tasks come later), by (domain, type)
    for ESA (each of its generators has one domain and one type)."""
    doc = json.loads((ROOT / "contrib" / "scenarios" / "demo.json").read_text())
    if product == "esa":
        return {(g["domains"][0], g["types"][0]): g["count"] for g in doc["generate"]
                if g.get("product") == "esa"}
    return sum(g["count"] for g in doc["generate"] if g.get("product", "dcdn") == product)


def tables(output):
    """Each printed table: {(product, domain, type): {status: count}}."""
    out = []
    for line in output.splitlines():
        if " values in collectd " in line:
            out.append({})
        m = ROW.match(line)
        if m and out:
            out[-1][m.group(1, 2, 3)] = dict(zip(STATUSES, map(int, m.group(4, 5, 6, 7))))
    return [t for t in out if t]


def total(table, product, domain=None, kind=None):
    return sum(sum(v.values()) for (p, d, k), v in table.items()
               if p == product and domain in (None, d) and kind in (None, k))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "DEMO_SECONDS": "10", "DEMO_INTERVAL": "2", "TMPDIR": str(tmp),
           "DEMO_PLUGIN_DIR": str(PLUGIN_DIR), "DEMO_COLLECTD_PRELOAD": COLLECTD_PRELOAD}
    proc = subprocess.run([str(ROOT / "contrib" / "demo")], env=env, capture_output=True,
                          text=True, timeout=90)
    work = next(tmp.glob("dcdn-demo.*"))
    return proc, work


def test_demo_runs_and_prints_both_products(demo):
    proc, work = demo
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = tables(proc.stdout)
    assert len(found) >= 3, proc.stdout
    first, last = found[0], found[-1]
    # DCDN: www and static with 4 types, img with file and regex (200 of the
    # 240 generated tasks: shop.example.net is not configured).
    assert {d for p, d, _ in first if p == "dcdn"} == {"www.example.com", "static.example.com",
                                                      "img.example.com"}
    assert total(first, "dcdn") == 200
    # CDN: every generated task, over both domains and all four types.
    assert {(d, k) for p, d, k in first if p == "cdn"} == {
        (d, k) for d in ("cdn.example.org", "video.example.org")
        for k in ("file", "directory", "regex", "preload")}
    assert total(first, "cdn") == scenario_count("cdn") == 150
    # The CDN account sees the tasks created during the run: the scenario's
    # 6001 (5 s in) and the demo's CDN purge, both file tasks of cdn.example.org.
    assert total(last, "cdn", "cdn.example.org", "file") == \
        total(first, "cdn", "cdn.example.org", "file") + 2, proc.stdout
    assert "RefreshObjectCaches" in proc.stdout and '"RefreshTaskId"' in proc.stdout
    assert re.search(r"account demo-cdn \(cdn-demo-cdn\): [1-9]\d* API calls, 0 throttled",
                     proc.stdout), proc.stdout
    assert "ESA (account demo-esa" in proc.stdout


def test_demo_purges_dcdn_with_the_official_sdk(demo):
    proc, _ = demo
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # t/interop/sdk-purge.js prints the SDK's answer: two new task ids.
    said = re.search(r"\(DCDN, RefreshDcdnObjectCaches,\nsubmitted with the official Alibaba Cloud "
                     r"Node SDK, @alicloud/dcdn20180115\):\n  (\{.*\})\n", proc.stdout)
    assert said, proc.stdout
    answer = json.loads(said.group(1))
    assert set(answer) == {"RefreshTaskId", "RequestId"}
    assert len(answer["RefreshTaskId"].split(",")) == 2
    found = tables(proc.stdout)
    first, last = found[0], found[-1]
    # www.example.com / file: the two purged URLs and, if not yet in the
    # first table, the scenario's 5001 (2 s in).
    before = total(first, "dcdn", "www.example.com", "file")
    assert before + 2 <= total(last, "dcdn", "www.example.com", "file") <= before + 3, proc.stdout
    quota = re.findall(r"account demo \(dcdn-demo\): .*\n    daily quota left: URLs (\d+)/10000",
                       proc.stdout)
    assert quota[0] == "10000" and quota[-1] == "9998", proc.stdout


def test_demo_prints_the_esa_account(demo):
    proc, _ = demo
    assert proc.returncode == 0, proc.stdout + proc.stderr
    last = tables(proc.stdout)[-1]
    # The four domains of the two sites, each with its one type; a cache tag
    # names no host and counts for the site's own name (example.net).
    generated = scenario_count("esa")
    assert {(d, k) for p, d, k in last if p == "esa"} == {
        ("www.example.net", "file"), ("example.net", "cachetag"),
        ("static.example.net", "preload"), ("shop.example.io", "file")}
    assert generated[("www.example.net", "cachetag")] == total(last, "esa", "example.net", "cachetag") == 10
    assert last[("esa", "shop.example.io", "file")] == {"pending": 0, "refreshing": 0, "complete": 16,
                                                        "failed": 4}
    assert total(last, "esa", "static.example.net", "preload") >= generated[("static.example.net", "preload")]
    # www.example.net / file: the 40 generated, the demo's PurgeCaches (at
    # 4 s) and, if it is already there, the scenario's 8001 (6 s in).
    assert generated[("www.example.net", "file")] + 1 <= total(last, "esa", "www.example.net", "file") \
        <= generated[("www.example.net", "file")] + 2, proc.stdout
    assert "PurgeCaches" in proc.stdout and '"TaskId"' in proc.stdout
    assert re.search(r"account demo-esa \(esa-demo-esa\): [1-9]\d* API calls, 0 throttled",
                     proc.stdout), proc.stdout
    # The site's file quota: 120 used at the start, 121 after the purge.
    assert re.search(r"site example\.net, purge quota used today: cachetag 12/1000, file 121/5000",
                     proc.stdout), proc.stdout


def test_demo_writes_cdn_and_esa_values_and_graphs(demo):
    proc, work = demo
    csv = work / "csv" / "demo"
    rows = (next(csv.glob("cdn-cdn.example.org/count-file-complete-*"))).read_text().splitlines()
    assert len(rows) >= 2 and float(rows[-1].split(",")[1]) > 0
    assert any(csv.glob("cdn-demo-cdn/total_requests-calls-*"))
    assert any(csv.glob("dcdn-demo/total_requests-calls-*"))
    assert any(csv.glob("esa-demo-esa/total_requests-calls-*"))
    rows = (next(csv.glob("esa-www.example.net/count-file-complete-*"))).read_text().splitlines()
    assert len(rows) >= 2 and float(rows[-1].split(",")[1]) > 0
    assert any(csv.glob("esa-example.net/count-quota-file-*"))
    for png in ("tasks-www.example.com.png", "task-rates.png", "api-calls.png", "quota.png",
                "esa-quota.png"):
        assert (work / "graphs" / png).stat().st_size > 0, png
    log = (work / "collectd.log").read_text()
    assert "demo-secret" not in log
    assert "polling 3 account(s)" in log
