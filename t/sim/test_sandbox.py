"""The sandbox: RefreshDcdnObjectCaches and PreloadDcdnObjectCaches create
one task per path (new TaskIds, the path's domain, the right ObjectType),
the tasks play their states, each submission draws on the day's quota that
DescribeDcdnRefreshQuota reports, and every refusal (parameters, limits,
quota, RAM) creates nothing."""

import json
import time

import pytest

from simclient import answered_tasks, api_time, assert_forbidden, exits_2
from dcdn_simulator.scenario import load_scenario
from dcdn_simulator.sandbox import path_domains, split_paths

REFRESH, PRELOAD = "RefreshDcdnObjectCaches", "PreloadDcdnObjectCaches"
QUOTA, BY_ID, LIST = "DescribeDcdnRefreshQuota", "DescribeDcdnRefreshTaskById", "DescribeDcdnRefreshTasks"

QUICK = [{"after": 0, "status": "Pending", "process": "0%"},
         {"after": 1, "status": "Refreshing", "process": "50%"},
         {"after": 2, "status": "Complete", "process": "100%"}]
SCENARIO = {
    "tasks": [{"id": "1001", "path": "http://www.example.com/old.html", "created": -60}],
    "quota": {"UrlRemain": "5", "DirRemain": "2", "PreloadRemain": "3", "RegexRemain": "x"},
    "submissions": {"states": {"file": QUICK, "preload": QUICK},
                    "rules": [{"match": "/broken/",
                               "states": [{"after": 0, "status": "Refreshing", "process": "10%"},
                                          {"after": 1, "status": "Failed", "process": "10%",
                                           "description": "OriginTimeout"}]}]},
    "ram": {"scoped": {"domains": ["a.example.com"]},
            "policed": {"policy": {"Version": "1", "Statement": [
                {"Effect": "Allow", "Action": "dcdn:*", "Resource": "*"},
                {"Effect": "Deny", "Action": "dcdn:RefreshDcdnObjectCaches",
                 "Resource": "acs:dcdn:*:*:domain/private.example.com"}]}},
            "reader": {"deny": [REFRESH, PRELOAD]}},
}
KEYS = ["--credentials", "testid:testsecret", "--credentials", "scoped:s1",
        "--credentials", "policed:s2", "--credentials", "reader:s3"]


@pytest.fixture
def box(start_sim):
    return start_sim(SCENARIO, args=KEYS)


def by_id(sim, ids, **kw):
    return {t["TaskId"]: t for t in answered_tasks(sim.call(BY_ID, {"TaskId": ",".join(ids)}, **kw))}


def quota(sim):
    return sim.call(QUOTA).json


def refresh(sim, paths, object_type=None, **kw):
    params = {"ObjectPath": "\n".join(paths)}
    if object_type:
        params["ObjectType"] = object_type
    return sim.call(REFRESH, params, **kw)


def test_a_refresh_creates_one_task_per_url_that_then_completes(box):
    resp = refresh(box, ["www.example.com/a.html", "https://IMG.example.com/b.png"], "File")
    assert resp.status == 200 and set(resp.json) == {"RequestId", "RefreshTaskId"}
    ids = resp.json["RefreshTaskId"].split(",")
    assert len(ids) == 2 and all(i.isdigit() and int(i) > 1001 for i in ids) and ids[0] < ids[1]
    tasks = by_id(box, ids)
    assert tasks[ids[0]]["ObjectPath"] == "http://www.example.com/a.html"
    assert tasks[ids[1]]["ObjectPath"] == "https://IMG.example.com/b.png"
    assert {t["ObjectType"] for t in tasks.values()} == {"file"}
    assert {(t["Status"], t["Process"]) for t in tasks.values()} == {("Pending", "0%")}
    # Listed under its own domain (the host, in lower case), with the others.
    listed = answered_tasks(box.call(LIST, {"ObjectType": "file", "DomainName": "img.example.com"}))
    assert [t["TaskId"] for t in listed] == [ids[1]]
    seen = set()
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline and "Complete" not in seen:
        seen |= {(t["Status"]) for t in by_id(box, ids).values()}
        time.sleep(0.3)
    assert seen == {"Pending", "Refreshing", "Complete"}
    assert {t["Process"] for t in by_id(box, ids).values()} == {"100%"}


def test_each_object_type_gives_its_task_type_and_draws_on_its_quota(box):
    before = quota(box)
    dirs = refresh(box, ["http://www.example.com/css/", "http://www.example.com/js/"], "directory")
    regex = refresh(box, ["http://www.example.com/img/.*\\.png"], "REGEX")
    ignore = refresh(box, ["http://www.example.com/q.html?v=1"], "IgnoreParams")
    preload = box.call(PRELOAD, {"ObjectPath": "http://www.example.com/v.mp4", "Area": "domestic",
                                 "L2Preload": "true", "WithHeader": '{"Accept-Encoding":["gzip"]}'})
    assert set(preload.json) == {"RequestId", "PreloadTaskId"}
    types = {i: t["ObjectType"] for i, t in by_id(
        box, dirs.json["RefreshTaskId"].split(",") + [regex.json["RefreshTaskId"],
                                                       ignore.json["RefreshTaskId"],
                                                       preload.json["PreloadTaskId"]]).items()}
    assert sorted(types.values()) == ["file", "path", "path", "preload", "regex"]
    after = quota(box)
    assert (int(before["DirRemain"]) - int(after["DirRemain"]), after["DirQuota"]) == (2, "100")
    assert int(before["PreloadRemain"]) - int(after["PreloadRemain"]) == 1
    assert int(before["IgnoreParamsRemain"]) - int(after["IgnoreParamsRemain"]) == 1
    assert after["UrlRemain"] == before["UrlRemain"] == "5"
    assert after["RegexRemain"] == "x"      # not a count: sent as the scenario has it
    assert after["BlockRemain"] == before["BlockRemain"]


def test_over_quota_is_refused_and_creates_nothing(box):
    assert refresh(box, [f"http://www.example.com/{i}" for i in range(4)]).status == 200
    over = refresh(box, ["http://www.example.com/5", "http://www.example.com/6"])
    assert (over.status, over.code) == (400, "QuotaExceeded.Refresh")
    assert quota(box)["UrlRemain"] == "1"
    assert refresh(box, ["http://www.example.com/last"]).status == 200
    assert quota(box)["UrlRemain"] == "0"
    assert refresh(box, ["http://www.example.com/more"]).code == "QuotaExceeded.Refresh"
    preloads = "\n".join(f"http://www.example.com/{i}.mp4" for i in range(4))
    assert box.call(PRELOAD, {"ObjectPath": preloads}).code == "QuotaExceeded.Preload"
    listed = answered_tasks(box.call(LIST, {"ObjectType": "file", "PageSize": "50"}))
    assert len(listed) == 1 + 5


def test_the_quota_comes_back_the_next_day(start_sim):
    # The clock jumps a day 1.5 s after the start: today's use no longer counts.
    sim = start_sim({"quota": {"UrlRemain": "3"}, "clock": [{"from": 1.5, "offset": 86400}]})
    refresh(sim, ["http://www.example.com/a", "http://www.example.com/b"])
    assert quota(sim)["UrlRemain"] == "1"
    time.sleep(1.6)
    tomorrow = sim.call(QUOTA, timestamp=api_time(time.time() + 86400))
    assert tomorrow.json["UrlRemain"] == "3"


def test_too_many_paths_per_request(start_sim):
    sim = start_sim()
    resp = refresh(sim, [f"http://www.example.com/{i}" for i in range(1001)])
    assert (resp.status, resp.code) == (400, "SingleRequest.OverLimit")
    assert "1000" in resp.json["Message"]
    assert refresh(sim, [f"http://www.example.com/{i}/" for i in range(101)],
                   "Directory").code == "SingleRequest.OverLimit"
    resp = sim.call(PRELOAD, {"ObjectPath": "\n".join(f"http://a.example.com/{i}" for i in range(101))})
    assert resp.code == "SingleRequest.OverLimit" and "100 URLs" in resp.json["Message"]
    # Exactly at the limit is fine, and \r\n separates as well as \n.
    resp = sim.call(REFRESH, {"ObjectPath": "\r\n".join(f"http://www.example.com/{i}" for i in range(1000))})
    assert resp.status == 200 and len(resp.json["RefreshTaskId"].split(",")) == 1000


@pytest.mark.parametrize("action, params, code", [
    (REFRESH, {"ObjectPath": "http://a.example.com/x", "ObjectType": "path"}, "InvalidObjectType.Malformed"),
    (REFRESH, {"ObjectPath": "http://a.example.com/x", "ObjectType": "preload"}, "InvalidObjectType.Malformed"),
    (REFRESH, {"ObjectType": "File"}, "MissingObjectPath"),
    (REFRESH, {"ObjectPath": "\n\n"}, "InvalidObjectPath.Malformed"),
    (REFRESH, {"ObjectPath": "ftp://a.example.com/x"}, "InvalidObjectPath.Malformed"),
    (REFRESH, {"ObjectPath": "http://a.example.com/" + "x" * 1100}, "InvalidObjectPath.Malformed"),
    (REFRESH, {"ObjectPath": "http://a.example.com/1\nhttp:///nohost"}, "InvalidObjectPath.Malformed"),
    (REFRESH, {"ObjectPath": "http://*.example.com/x"}, "InvalidExtensiveDomain.ValueNotSupported"),
    (REFRESH, {"ObjectPath": "http://a.example.com/x", "Force": "yes"}, "InvalidParameter"),
    (PRELOAD, {"ObjectPath": "http://a.example.com/x", "Area": "mars"}, "InvalidParameter"),
    (PRELOAD, {"ObjectPath": "http://a.example.com/x", "WithHeader": "[1]"}, "InvalidParameter"),
    (PRELOAD, {"ObjectPath": "http://a.example.com/x", "L2Preload": "1"}, "InvalidParameter"),
])
def test_bad_parameters_are_refused_and_create_nothing(box, action, params, code):
    resp = box.call(action, params)
    assert (resp.status, resp.code) == (400, code), resp
    assert answered_tasks(box.call(LIST))[0]["TaskId"] == "1001"
    assert quota(box)["UrlRemain"] == "5"


def test_a_rule_by_path_makes_a_task_fail(box):
    [task_id] = refresh(box, ["http://www.example.com/broken/app.js"]).json["RefreshTaskId"].split(",")
    time.sleep(1.1)
    task = by_id(box, [task_id])[task_id]
    assert (task["Status"], task["Description"], task["Process"]) == ("Failed", "OriginTimeout", "10%")


def test_ram_domain_grant_policy_and_refused_actions(box):
    scoped, policed, reader = ({"key": k, "secret": s} for k, s in
                               (("scoped", "s1"), ("policed", "s2"), ("reader", "s3")))
    assert refresh(box, ["http://a.example.com/1"], **scoped).status == 200
    assert_forbidden(refresh(box, ["http://a.example.com/2", "http://b.example.com/2"], **scoped))
    assert_forbidden(box.call(PRELOAD, {"ObjectPath": "http://b.example.com/v.mp4"}, **scoped))
    assert_forbidden(box.call(REFRESH, {"ObjectType": "File"}, **scoped))   # before MissingObjectPath
    assert_forbidden(refresh(box, ["http://private.example.com/x"], **policed))
    assert refresh(box, ["http://public.example.com/x"], **policed).status == 200
    assert box.call(PRELOAD, {"ObjectPath": "http://private.example.com/x"}, **policed).status == 200
    assert_forbidden(refresh(box, ["http://a.example.com/x"], **reader))
    assert box.call(QUOTA, **reader).status == 200
    assert quota(box)["UrlRemain"] == "3"       # a.example.com/1 and public.example.com/x


def test_the_plugins_policy_lets_it_read_but_not_purge(start_sim):
    from simclient import ROOT
    sim = start_sim(args=["--credentials", "testid:testsecret",
                          "--ram-policy", f"testid={ROOT / 'contrib' / 'ram-policy.json'}"])
    assert_forbidden(refresh(sim, ["http://www.example.com/x"]))
    assert_forbidden(sim.call(PRELOAD, {"ObjectPath": "http://www.example.com/x"}))
    assert sim.call(QUOTA).status == 200


def test_the_record_file_shows_the_submission(box):
    refresh(box, ["http://www.example.com/r"])
    [row] = [r for r in box.records() if r["action"] == REFRESH]
    assert row["status"] == 200 and row["params"] == {"ObjectPath": "http://www.example.com/r"}


def test_paths_and_their_domains():
    assert split_paths(" a.example.com/x \r\n\nB.example.com/y\n") == ["a.example.com/x", "B.example.com/y"]
    assert path_domains("a.example.com/x\nhttps://B.Example.com:8443/y\nhttp:///z") == \
        {"a.example.com", "b.example.com"}


BAD = [
    ({"submissions": []}, "submissions: must be an object"),
    ({"submissions": {"state": {}}}, "submissions: unknown member(s) state"),
    ({"submissions": {"states": {"path": QUICK}}}, 'submissions.states: "path" is not one of'),
    ({"submissions": {"states": {"file": []}}}, '"states" must be a non-empty list'),
    ({"submissions": {"rules": [{"match": "("}]}}, 'submissions.rules[0]: "match":'),
    ({"submissions": {"rules": [{"match": "x"}]}}, 'submissions.rules[0]: needs "states"'),
]


@pytest.mark.parametrize("scenario, message", BAD)
def test_bad_submissions_are_refused_naming_the_member(tmp_path, scenario, message):
    err = exits_2(tmp_path, scenario)
    assert message in err, err


def test_new_task_ids_follow_the_scenarios_highest():
    scenario = load_scenario({"tasks": [{"id": "99999999999", "path": "http://a.example.com/"}]}, 0)
    assert scenario.submissions.next_id == 100000000000
    assert load_scenario({}, 0).submissions.next_id == 17000000001
    assert json.dumps(load_scenario(SCENARIO, 0).quota["UrlRemain"]) == '"5"'
