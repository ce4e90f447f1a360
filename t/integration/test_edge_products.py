"""Every product the plugin watches, side by side in one collectd: a DCDN
and a CDN account against one simulator (which answers each product by the
Version a request names). Each gets its counts under its own collectd
plugin name, its notifications, its quota (CDN's preload_edge kind too),
its own state file owner, and the planner reads CDN's history in pages of
100: half the calls of DCDN's 50 for the same tasks. One domain is on both
products (one account of each): its values never mix."""

import math
import pathlib

import pytest

from accounts import account_block
from harness import Collectd, NotificationSink, wait_for

DCDN_DOMAIN, CDN_DOMAIN, BOTH = "a.example.com", "cdn.example.org", "both.example.net"
TASKS = 130          # 3 pages of 50 on DCDN, 2 of 100 on CDN
FAILED = 10
ON_BOTH = {"dcdn": 3, "cdn": 7}   # tasks of the domain on both products


def tasks(product, domain, first_id):
    out = []
    for i in range(TASKS):
        task = {"id": str(first_id + i), "path": f"http://{domain}/{i}", "type": "file",
                "created": -(i % 3000) - 30, "product": product}
        if i < FAILED:  # news after the cold start: notified
            task.update(created=2, states=[
                {"after": 0, "status": "Refreshing"},
                {"after": 1, "status": "Failed", "description": "OriginTimeout"}])
        out.append(task)
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from harness import Simulator
    base = tmp_path_factory.mktemp("products")
    both = [{"id": str(300000 + i), "path": f"http://{BOTH}/{p}/{i}", "type": "file",
             "created": -60, "product": p}
            for p, n in ON_BOTH.items() for i in range(n * (p == "cdn"), n * (p == "cdn") + n)]
    sim = Simulator(base, scenario={
        "tasks": tasks("dcdn", DCDN_DOMAIN, 100000) + tasks("cdn", CDN_DOMAIN, 200000) + both,
        "cdn_quota": {"UrlQuota": "10000", "UrlRemain": "9990",
                      "PreloadEdgeQuota": "500", "PreloadEdgeRemain": "480"}})
    sink = NotificationSink()
    config = "\n".join([
        account_block("d", sim, domains=[DCDN_DOMAIN, BOTH]),
        account_block("c", sim, domains=[CDN_DOMAIN, BOTH], extra='Product "cdn"')])
    daemon = Collectd(base, config, extra_config=sink.config())
    daemon.config_path.chmod(0o600)
    daemon.start()
    try:
        counted = lambda p, d, s, n: daemon.values().get(f"{p}-{d}/count-file-{s}") == n
        wait_for(lambda: all(counted(p, d, "complete", TASKS - FAILED)
                             and counted(p, d, "failed", FAILED)
                             for p, d in (("cdn", CDN_DOMAIN), ("dcdn", DCDN_DOMAIN)))
                 and len([n for n in sink.notifications() if n["Severity"] == "FAILURE"])
                 >= 2 * FAILED, timeout=30, what="both products' counts")
    finally:
        daemon.stop()
        sim.stop()
    yield daemon, sim, sink
    sink.remove()


def test_each_product_reports_under_its_own_plugin_name(run):
    daemon, _, _ = run
    values = daemon.values()
    for plugin, domain in (("dcdn", DCDN_DOMAIN), ("cdn", CDN_DOMAIN)):
        assert values[f"{plugin}-{domain}/count-file-complete"] == TASKS - FAILED
        assert values[f"{plugin}-{domain}/count-file-failed"] == FAILED
        assert values[f"{plugin}-{domain}/total_operations-file-failed"] == FAILED
    # Nothing of one product under the other's name.
    assert not [k for k in values if k.startswith(f"dcdn-{CDN_DOMAIN}/")
                or k.startswith(f"cdn-{DCDN_DOMAIN}/") or k.startswith("dcdn-c/")
                or k.startswith("cdn-d/")]
    # The domain on both products: each product's own tasks.
    assert values[f"dcdn-{BOTH}/count-file-complete"] == ON_BOTH["dcdn"]
    assert values[f"cdn-{BOTH}/count-file-complete"] == ON_BOTH["cdn"]
    assert values["cdn-c/count-quota-preload_edge"] == 500
    assert values["cdn-c/count-remain-preload_edge"] == 480
    assert values["cdn-c/count-remain-url"] == 9990
    assert "dcdn-d/count-quota-preload_edge" not in values


def test_cdn_history_is_read_in_pages_of_100(run):
    _, sim, _ = run
    for product, action, size in (("cdn", "DescribeRefreshTasks", 100),
                                  ("dcdn", "DescribeDcdnRefreshTasks", 50)):
        calls = [r for r in sim.records(action)]
        assert calls and all(r["product"] == product for r in calls)
        assert {r["params"]["PageSize"] for r in calls} == {str(size)}
        # The cold start: every page once, no more.
        cold = [r for r in calls if r["params"]["PageNumber"] != "1"]
        assert sorted(int(r["params"]["PageNumber"]) for r in cold) == \
            list(range(2, math.ceil((TASKS + ON_BOTH[product]) / size) + 1))
    assert all(r["status"] == 200 for r in sim.records())


def test_notifications_name_the_product(run):
    _, _, sink = run
    failed = [n for n in sink.notifications() if n["Severity"] == "FAILURE"]
    by_plugin = {p: [n for n in failed if n["Plugin"] == p] for p in ("dcdn", "cdn")}
    assert len(by_plugin["cdn"]) == FAILED and len(by_plugin["dcdn"]) == FAILED
    assert {n["PluginInstance"] for n in by_plugin["cdn"]} == {CDN_DOMAIN}
    assert all(n["message"].startswith("CDN ") or "CDN" in n["message"]
               for n in by_plugin["cdn"]), by_plugin["cdn"][0]["message"]


def test_the_state_file_names_the_product(run):
    _, sim, _ = run
    state = pathlib.Path(sim.workdir) / "state"
    assert f"endpoint cdn {sim.url}" in (state / "c.state").read_text()
    assert f"endpoint {sim.url}" in (state / "d.state").read_text()
