"""Three products on one port, chosen by the Version a request names: DCDN
(2018-01-15), CDN (2018-05-10: pages up to 100, Tasks.CDNTask, directory
tasks as "directory", quota with PreloadEdge*) and ESA (2024-09-10: sites,
a site's purge and prefetch tasks, its quota by type), each seeing only its
own tasks, against the shipped contrib/scenarios/three-products.json (whose
counts its comment states; checked here)."""

import collections
import json
import re

import pytest

from simclient import SCENARIOS, answered_tasks, exits_2, launch

CDN, ESA = "2018-05-10", "2024-09-10"
NET, SHOP = 1200000000001, 1200000000002
SHIPPED = json.loads((SCENARIOS / "three-products.json").read_text())


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    running = launch(tmp_path_factory.mktemp("products"), SHIPPED)
    yield running
    assert running.stop() == 0


def cdn(sim, action, params=None, **kw):
    return sim.call(action, params, version=CDN, **kw)


def esa(sim, action, params=None, **kw):
    return sim.call(action, params, version=ESA, method=kw.pop("method", "GET"), **kw)


def all_pages(call, size):
    tasks, page = [], 1
    while True:
        resp = call(page, size)
        found = answered_tasks(resp)
        tasks += found
        if page * size >= resp.json["TotalCount"]:
            return tasks, page
        page += 1


def test_each_product_lists_only_its_own_tasks(sim):
    dcdn = sim.call("DescribeDcdnRefreshTasks", {"PageSize": 50}).json
    assert dcdn["TotalCount"] == 31 and set(dcdn["Tasks"]) == {"Task"}
    tasks, pages = all_pages(lambda p, s: cdn(sim, "DescribeRefreshTasks", {"PageNumber": p, "PageSize": s}), 100)
    assert (len(tasks), pages) == (131, 2)      # DCDN's 50 would take 3 pages
    assert len({t["TaskId"] for t in tasks}) == 131
    counts = collections.Counter(t["ObjectType"] for t in tasks)
    assert counts == {"file": 35, "directory": 32, "regex": 32, "preload": 32}
    assert sum(t["Status"] == "Failed" for t in tasks) == 26
    assert all(t["TaskId"].startswith(("300", "7101")) for t in tasks)
    first = cdn(sim, "DescribeRefreshTasks", {"PageSize": 1, "ResourceGroupId": "rg-acfm"}).json
    assert set(first) == {"RequestId", "PageNumber", "PageSize", "TotalCount", "Tasks"}
    assert set(first["Tasks"]) == {"CDNTask"}
    assert set(first["Tasks"]["CDNTask"][0]) == {"TaskId", "ObjectPath", "ObjectType", "Status", "Process",
                                                  "CreationTime", "Description"}


def test_page_size_limits_differ_by_product(sim):
    assert cdn(sim, "DescribeRefreshTasks", {"PageSize": 101}).code == "InvalidParameter"
    assert sim.call("DescribeDcdnRefreshTasks", {"PageSize": 51}).code == "InvalidParameter"
    assert sim.call("DescribeDcdnRefreshTasks", {"PageSize": 50}).status == 200
    assert esa(sim, "DescribePurgeTasks", {"SiteId": NET, "PageSize": 51}).code == "InvalidParameter"
    assert esa(sim, "ListSites", {"PageSize": 501}).code == "InvalidParameter"


def test_directory_tasks_are_path_on_dcdn_and_directory_on_cdn(sim):
    dcdn = answered_tasks(sim.call("DescribeDcdnRefreshTasks", {"ObjectType": "directory", "PageSize": 50}))
    assert len(dcdn) == 14 and {t["ObjectType"] for t in dcdn} == {"path"}
    resp = cdn(sim, "DescribeRefreshTasks", {"ObjectType": "directory", "DomainName": "img.example.org",
                                             "PageSize": 100})
    assert {t["ObjectType"] for t in answered_tasks(resp)} == {"directory"}
    assert resp.json["TotalCount"] == 16


def test_routing_by_version_and_action(sim):
    assert sim.call("DescribeRefreshTasks").code == "InvalidAction.NotFound"          # CDN's, as DCDN
    assert cdn(sim, "DescribeDcdnRefreshTasks").code == "InvalidAction.NotFound"
    assert esa(sim, "DescribeRefreshTasks").code == "InvalidAction.NotFound"
    wrong = sim.call("DescribeRefreshTasks", version="2019-01-01")
    assert wrong.code == "InvalidVersion"
    for version, host in ((CDN, "cdn.aliyuncs.com"), (ESA, "esa.cn-hangzhou.aliyuncs.com")):
        body = sim.call("ListSites", {"PageSize": 0}, version=version, method="GET").json
        assert body["HostId"] == host, body


def test_cdn_by_id_and_quota(sim):
    resp = cdn(sim, "DescribeRefreshTaskById", {"TaskId": "7101,300000,100000,7001"})
    assert resp.status == 200 and isinstance(resp.json["Tasks"], list)
    assert sorted(t["TaskId"] for t in resp.json["Tasks"]) == ["300000", "7101"]    # not DCDN's
    assert resp.json["TotalCount"] == 2
    eleven = ",".join(str(300000 + i) for i in range(11))
    assert cdn(sim, "DescribeRefreshTaskById", {"TaskId": eleven}).code == "InvalidTaskId.ExceedLimit"
    quota = cdn(sim, "DescribeRefreshQuota").json
    assert {k: v for k, v in quota.items() if k != "RequestId"} == {
        "UrlQuota": "2000", "UrlRemain": "1800", "DirQuota": "100", "DirRemain": "95",
        "PreloadQuota": "500", "PreloadRemain": "480", "PreloadEdgeQuota": "300", "PreloadEdgeRemain": "290",
        "BlockQuota": "100", "BlockRemain": "100", "RegexQuota": "20", "RegexRemain": "20",
        "IgnoreParamsQuota": "10", "IgnoreParamsRemain": "10"}
    assert "PreloadEdgeQuota" not in sim.call("DescribeDcdnRefreshQuota").json


def test_list_sites_and_get_site(sim):
    exact = esa(sim, "ListSites", {"SiteName": "example.net", "SiteSearchType": "exact"}).json
    assert [(s["SiteId"], s["SiteName"]) for s in exact["Sites"]] == [(NET, "example.net")]
    assert (exact["TotalCount"], exact["PageSize"], exact["PageNumber"]) == (1, 500, 1)
    assert esa(sim, "ListSites", {"SiteName": "example"}).json["TotalCount"] == 0      # exact by default
    assert esa(sim, "ListSites", {"SiteName": "example", "SiteSearchType": "prefix"}).json["TotalCount"] == 1
    assert esa(sim, "ListSites", {"SiteName": "example", "SiteSearchType": "fuzzy"}).json["TotalCount"] == 2
    assert esa(sim, "ListSites", {"SiteName": ".io", "SiteSearchType": "suffix"}).json["TotalCount"] == 1
    paged = esa(sim, "ListSites", {"PageSize": 1, "PageNumber": 2}).json
    assert [s["SiteId"] for s in paged["Sites"]] == [SHOP] and paged["TotalCount"] == 2
    site = esa(sim, "GetSite", {"SiteId": SHOP}).json["SiteModel"]
    assert (site["SiteId"], site["SiteName"], site["Status"]) == (SHOP, "shop.example.io", "active")
    assert esa(sim, "GetSite", {"SiteId": 99}).code == "SiteNotFound"


def purge_counts(sim, site, **params):
    counts = {}
    for purge_type in ("file", "directory", "cachetag", "ignoreParams", "hostname", "purgeall"):
        resp = esa(sim, "DescribePurgeTasks", {"SiteId": site, "Type": purge_type, **params})
        assert resp.status == 200, resp
        counts[purge_type] = resp.json["TotalCount"]
    return counts


def test_esa_purge_tasks_by_site_type_and_status(sim):
    assert purge_counts(sim, NET) == dict.fromkeys(
        ("file", "directory", "cachetag", "ignoreParams", "hostname", "purgeall"), 5)
    assert purge_counts(sim, NET, Status="Failed") == {"file": 0, "directory": 2, "cachetag": 0,
                                                       "ignoreParams": 3, "hostname": 0, "purgeall": 2}
    assert purge_counts(sim, SHOP)["file"] == 8
    untyped = esa(sim, "DescribePurgeTasks", {"SiteId": NET}).json       # Type defaults to file
    assert untyped["TotalCount"] == 5 and {t["Type"] for t in untyped["Tasks"]} == {"file"}
    task = esa(sim, "DescribePurgeTasks", {"SiteId": NET, "Type": "cachetag", "PageSize": 1}).json["Tasks"][0]
    assert set(task) == {"TaskId", "Content", "Type", "Status", "Process", "CreateTime", "Description"}
    assert all(isinstance(v, str) for v in task.values())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", task["CreateTime"])
    assert esa(sim, "DescribePurgeTasks").code == "MissingSiteId"
    assert esa(sim, "DescribePurgeTasks", {"SiteId": NET, "Type": "regex"}).code == "InvalidParameter"
    assert esa(sim, "DescribePurgeTasks", {"SiteId": NET, "Status": "Done"}).code == "InvalidStatus.ValueNotSupported"


def test_esa_preload_tasks_and_quota(sim):
    body = esa(sim, "DescribePreloadTasks", {"SiteId": NET}).json
    assert body["TotalCount"] == 5
    task = body["Tasks"][0]
    assert set(task) == {"TaskId", "Content", "Status", "Process", "CreateTime", "Description"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", task["CreateTime"])
    assert esa(sim, "DescribePreloadTasks", {"SiteId": SHOP}).json["TotalCount"] == 0
    quota = esa(sim, "GetPurgeQuota", {"SiteId": NET, "Type": "file"}).json
    assert (quota["Quota"], quota["Usage"]) == ("5000", "120")
    assert esa(sim, "GetPurgeQuota", {"SiteId": NET, "Type": "directory"}).json["Usage"] == "5"
    assert esa(sim, "GetPurgeQuota", {"SiteId": SHOP}).json["Quota"] == "10000"     # file, default


def test_records_name_the_product(sim):
    products = {r["product"] for r in sim.records() if r["status"] == 200}
    assert products == {"dcdn", "cdn", "esa"}


@pytest.mark.parametrize("scenario, message", [
    ({"tasks": [{"id": "1", "path": "http://a.example.com/x", "product": "esa"}]},
     "tasks[0]: no site in \"sites\" covers 'a.example.com'"),
    ({"tasks": [{"id": "1", "path": "http://a.example.com/x", "site": 5}]},
     'tasks[0]: "site" is for ESA tasks'),
    ({"tasks": [{"id": "1", "path": "http://a.example.com/x", "product": "cdn", "type": "cachetag"}]},
     'tasks[0]: "type" must be one of file, directory, regex, preload'),
    ({"sites": [{"id": 1, "name": "a.example"}, {"id": 1, "name": "b.example"}]}, "sites: duplicate site id 1"),
    ({"sites": [{"id": 1, "name": "a.example", "quota": {"file": {"quota": 5, "usage": 6}}}]},
     'sites[0].quota.file: "usage" must be from 0 to "quota"'),
    ({"generate": [{"count": 1, "domains": ["x.example"], "product": "web"}]}, '"product" must be one of'),
])
def test_bad_product_scenarios_are_refused(tmp_path, scenario, message):
    assert message in exits_2(tmp_path, scenario)
