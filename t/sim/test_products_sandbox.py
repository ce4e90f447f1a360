"""What every product shares: the sandbox (CDN's RefreshObjectCaches and
PushObjectCache, ESA's PurgeCaches and PreloadCaches create tasks that play
their states and draw on the product's own quota), RAM (cdn: and esa:
actions, ESA's site/{SiteId} resource, domain grants, denied actions), the
per-key rate (each product its own), faults by action, and the client's
--product."""

import json
import subprocess
import sys
import time

import pytest

from simclient import ROOT, answered_tasks, assert_forbidden, launch

CDN, ESA = "2018-05-10", "2024-09-10"
SITE, OTHER = 1300000000001, 1300000000002
QUICK = [{"after": 0, "status": "Pending", "process": "0%"},
         {"after": 1, "status": "Complete", "process": "100%"}]
SCENARIO = {
    "sites": [{"id": SITE, "name": "example.net", "quota": {"file": {"quota": 3, "usage": 1}}},
              {"id": OTHER, "name": "other.example"}],
    "cdn_quota": {"UrlRemain": 4, "PreloadEdgeRemain": 2},
    "submissions": {"states": {"file": QUICK, "preload": QUICK, "hostname": QUICK}},
    "tasks": [{"id": "10", "product": "esa", "path": "http://other.example/a.css", "created": -60},
              {"id": "11", "product": "cdn", "path": "http://cdn.example.org/a.css", "created": -60}],
    "ram": {
        "policed": {"policy": {"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": ["cdn:Describe*", "esa:ListSites", "esa:GetPurgeQuota"], "Resource": "*"},
            {"Effect": "Allow", "Action": "esa:Describe*", "Resource": f"acs:esa:*:*:site/{SITE}"}]}},
        "scoped": {"domains": ["example.net", "cdn.example.org"]},
        "reader": {"deny": ["PurgeCaches", "RefreshObjectCaches"]},
    },
    "faults": [{"kind": "status", "action": "DescribePreloadTasks", "key": "reader", "code": "ServiceUnavailable",
                "times": 1}],
}
KEYS = ["--credentials", "testid:testsecret", "--credentials", "policed:s1",
        "--credentials", "scoped:s2", "--credentials", "reader:s3"]


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    running = launch(tmp_path_factory.mktemp("products-sandbox"), SCENARIO, KEYS)
    yield running
    assert running.stop() == 0


def esa(sim, action, params=None, method="GET", **kw):
    return sim.call(action, params, version=ESA, method=method, **kw)


def purge(sim, purge_type, content, site=SITE, **kw):
    return esa(sim, "PurgeCaches", {"SiteId": site, "Type": purge_type, "Content": json.dumps(content)},
               method="POST", **kw)


def usage(sim, purge_type="file"):
    return int(esa(sim, "GetPurgeQuota", {"SiteId": SITE, "Type": purge_type}).json["Usage"])


def test_esa_purges_play_out_and_draw_on_the_site_quota(box):
    resp = purge(box, "file", {"Files": ["http://www.example.net/a.js", {"Url": "https://example.net/b.js"}]})
    assert resp.status == 200, resp
    ids = resp.json["TaskId"].split(",")
    assert len(ids) == 2 and usage(box) == 3
    assert purge(box, "file", {"Files": ["http://example.net/c.js"]}).code == "QuotaExceeded.Purge"
    assert purge(box, "hostname", {"Hostnames": ["img.example.net"]}).status == 200
    listed = answered_tasks(esa(box, "DescribePurgeTasks", {"SiteId": SITE}))
    assert {t["TaskId"]: (t["Content"], t["Status"]) for t in listed} == {
        ids[0]: ("http://www.example.net/a.js", "Pending"), ids[1]: ("https://example.net/b.js", "Pending")}
    hosts = answered_tasks(esa(box, "DescribePurgeTasks", {"SiteId": SITE, "Type": "hostname"}))
    assert [t["Content"] for t in hosts] == ["img.example.net"]
    assert usage(box, "hostname") == 1
    pre = esa(box, "PreloadCaches", {"SiteId": SITE, "Content": json.dumps(["http://example.net/v.mp4"]),
                                     "Headers": json.dumps({"Accept-Encoding": "gzip"})}, method="POST")
    assert pre.status == 200, pre
    time.sleep(1.1)
    assert {t["Status"] for t in answered_tasks(esa(box, "DescribePurgeTasks", {"SiteId": SITE}))} == {"Complete"}
    [prefetch] = answered_tasks(esa(box, "DescribePreloadTasks", {"SiteId": SITE}))
    assert (prefetch["TaskId"], prefetch["Status"]) == (pre.json["TaskId"], "Complete")


@pytest.mark.parametrize("purge_type, content, code", [
    ("file", {"Files": ["http://elsewhere.example/a.js"]}, "InvalidContent"),    # not on the site
    ("file", ["http://example.net/a.js"], "InvalidContent"),                     # not an object
    ("directory", {"Files": ["http://example.net/d/"]}, "InvalidContent"),       # the type's member
    ("purgeall", {"PurgeAll": False}, "InvalidContent"),
    ("regex", {"Files": ["http://example.net/a"]}, "InvalidParameter"),
])
def test_esa_purges_refused(box, purge_type, content, code):
    assert purge(box, purge_type, content).code == code


def test_cdn_sandbox_draws_on_the_cdn_quota_only(box):
    dcdn_before = box.call("DescribeDcdnRefreshQuota").json["UrlRemain"]
    resp = box.call("RefreshObjectCaches", {"ObjectPath": "http://cdn.example.org/x.js\nhttp://cdn.example.org/y.js"},
                    version=CDN)
    assert resp.status == 200, resp
    ids = resp.json["RefreshTaskId"].split(",")
    push = box.call("PushObjectCache", {"ObjectPath": "http://cdn.example.org/big.mp4"}, version=CDN)
    assert push.status == 200 and push.json["PushTaskId"]
    quota = box.call("DescribeRefreshQuota", version=CDN).json
    assert (quota["UrlRemain"], quota["PreloadEdgeRemain"], quota["PreloadRemain"]) == ("2", "1", "1000")
    assert box.call("DescribeDcdnRefreshQuota").json["UrlRemain"] == dcdn_before
    found = answered_tasks(box.call("DescribeRefreshTaskById", {"TaskId": ",".join(ids)}, version=CDN))
    assert sorted(t["TaskId"] for t in found) == sorted(ids)
    assert not answered_tasks(box.call("DescribeDcdnRefreshTaskById", {"TaskId": ",".join(ids)}))


def test_ram_policies_grants_and_denials_per_product(box):
    kw = {"key": "policed", "secret": "s1"}
    assert box.call("DescribeRefreshTasks", version=CDN, **kw).status == 200
    assert_forbidden(box.call("DescribeDcdnRefreshTasks", **kw))            # no dcdn: action granted
    assert_forbidden(box.call("RefreshObjectCaches", {"ObjectPath": "http://cdn.example.org/z"}, version=CDN, **kw))
    assert esa(box, "DescribePurgeTasks", {"SiteId": SITE}, **kw).status == 200
    assert_forbidden(esa(box, "DescribePurgeTasks", {"SiteId": OTHER}, **kw))   # another site
    assert esa(box, "ListSites", **kw).json["TotalCount"] == 2
    # A domain grant names ESA sites by name, CDN domains as DCDN's.
    kw = {"key": "scoped", "secret": "s2"}
    assert [s["SiteName"] for s in esa(box, "ListSites", **kw).json["Sites"]] == ["example.net"]
    assert_forbidden(esa(box, "DescribePurgeTasks", {"SiteId": OTHER}, **kw))
    assert esa(box, "DescribePurgeTasks", {"SiteId": SITE}, **kw).status == 200
    assert box.call("DescribeRefreshTasks", {"DomainName": "cdn.example.org", "ObjectType": "file"},
                    version=CDN, **kw).status == 200
    kw = {"key": "reader", "secret": "s3"}
    assert_forbidden(purge(box, "file", {"Files": ["http://example.net/r.js"]}, **kw))
    assert esa(box, "DescribePurgeTasks", {"SiteId": OTHER}, **kw).json["TotalCount"] == 1


def test_faults_by_action_and_error_bodies_name_the_product(box):
    kw = {"key": "reader", "secret": "s3"}
    first = esa(box, "DescribePreloadTasks", {"SiteId": OTHER}, **kw)
    assert (first.status, first.code, first.json["HostId"]) == (503, "ServiceUnavailable",
                                                                 "esa.cn-hangzhou.aliyuncs.com")
    assert esa(box, "DescribePreloadTasks", {"SiteId": OTHER}, **kw).status == 200
    assert [r["fault"] for r in box.records() if r["action"] == "DescribePreloadTasks"][-2:] == ["status", None]
    missing = esa(box, "GetPurgeQuota").json
    assert (missing["Code"], missing["HostId"]) == ("MissingSiteId", "esa.cn-hangzhou.aliyuncs.com")
    assert "product=ESA" in missing["Recommend"]


def test_each_product_has_its_own_rate_per_key(tmp_path):
    """Each product's third call in a row is over the rate of 2, though the
    key has just used up another product's."""
    sim = launch(tmp_path, SCENARIO, KEYS, rate_limit="2")
    try:
        dcdn = [sim.call("DescribeDcdnRefreshQuota") for _ in range(3)]
        cdn = [sim.call("DescribeRefreshQuota", version=CDN) for _ in range(3)]
        ours = [esa(sim, "ListSites") for _ in range(3)]
        for calls, code, status in ((dcdn, "TooManyRequests", 429), (cdn, "Throttling", 503),
                                    (ours, "TooManyRequests", 429)):
            assert [c.status for c in calls[:2]] == [200, 200], calls
            assert (calls[2].status, calls[2].code) == (status, code)    # CDN's own code
    finally:
        assert sim.stop() == 0


def test_the_client_calls_any_product(box):
    run = subprocess.run([sys.executable, "-B", "-m", "dcdn_simulator.client", "--endpoint", box.url,
                          "--credentials", "testid:testsecret", "--product", "esa", "PurgeCaches",
                          f"SiteId={OTHER}", "Type=file", 'Content={"Files": ["http://other.example/c.js"]}'],
                         capture_output=True, text=True, timeout=10, env={"PYTHONPATH": str(ROOT / "contrib")})
    assert run.returncode == 0, run.stderr
    task_id = json.loads(run.stdout)["TaskId"]
    listed = answered_tasks(esa(box, "DescribePurgeTasks", {"SiteId": OTHER, "Content": "http://other.example/c.js"}))
    assert [t["TaskId"] for t in listed] == [task_id]
