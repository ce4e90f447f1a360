"""DescribeDcdnRefreshTasks (every rule of the API page), DescribeDcdnRefreshTaskById,
DescribeDcdnRefreshQuota, and tasks changing state on the clock."""

import calendar
import time

import pytest

from simclient import api_time
from dcdn_simulator.errors import ERRORS
from dcdn_simulator.scenario import DEFAULT_QUOTA, load_scenario

THREE_DAYS = 259200

SCENARIO = {
    "quota": {"UrlQuota": "500", "UrlRemain": "480", "RegexRemain": 3},
    "tasks": [
        {"id": "10", "path": "http://A.Example.com/a.txt", "type": "file", "created": -100},
        {"id": "11", "path": "http://a.example.com/dir/", "type": "directory", "created": -200},
        {"id": "12", "path": "http://b.example.com/.*\\.png", "type": "regex", "created": -300},
        {"id": "13", "path": "http://b.example.com/v.mp4", "type": "preload", "created": -300},
        {"id": "14", "path": "http://c.example.com/x", "type": "file", "created": -400,
         "states": [{"after": 0, "status": "Failed", "process": "20%", "description": "OriginTimeout"}]},
        {"id": "15", "path": "http://c.example.com/y", "type": "file", "created": -50,
         "states": [{"after": 0, "status": "Refreshing", "process": "30%"}]},
        {"id": "16", "path": "http://a.example.com/old", "type": "file", "created": -(THREE_DAYS + 600)},
        {"id": "17", "path": "http://a.example.com/mine", "type": "file", "created": -10, "key": "other"},
        {"id": "18", "path": "http://a.example.com/later", "type": "file", "created": 3600},
        {"id": "19", "path": "http://a.example.com/pending", "type": "file", "created": -20,
         "states": [{"after": 0, "status": "Pending"}]},
    ],
}
# What testid sees within the default window, newest first (12 and 13 tie: higher id first).
VISIBLE = ["19", "15", "10", "11", "13", "12", "14"]


@pytest.fixture
def tasks_sim(start_sim):
    return start_sim(SCENARIO, args=["--credentials", "testid:testsecret",
                                     "--credentials", "other:othersecret"])


def ids(resp):
    assert resp.status == 200, resp
    return [t["TaskId"] for t in resp.json["Tasks"]["Task"]]


def test_default_listing(tasks_sim):
    resp = tasks_sim.call()
    body = resp.json
    assert (body["PageNumber"], body["PageSize"], body["TotalCount"]) == (1, 20, len(VISIBLE))
    assert ids(resp) == VISIBLE


def test_task_fields_are_strings_in_the_service_shape(tasks_sim):
    tasks = {t["TaskId"]: t for t in tasks_sim.call().json["Tasks"]["Task"]}
    assert set(tasks["14"]) == {"TaskId", "ObjectPath", "ObjectType", "Status", "Process",
                                "CreationTime", "Description"}
    assert all(isinstance(v, str) for t in tasks.values() for v in t.values())
    assert tasks["14"]["Status"] == "Failed"
    assert tasks["14"]["Description"] == "OriginTimeout"
    assert tasks["14"]["Process"] == "20%"
    assert tasks["10"]["Description"] == ""
    assert tasks["10"]["Process"] == "100%"
    assert tasks["10"]["ObjectPath"] == "http://A.Example.com/a.txt"
    assert tasks["11"]["ObjectType"] == "path"          # directory tasks are reported as "path"
    assert tasks["15"]["Status"] == "Refreshing"
    assert tasks["19"]["Status"] == "Pending"
    created = time.mktime(time.strptime(tasks["10"]["CreationTime"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert abs(created - (time.time() - 100)) < 5


def test_other_key_sees_its_own_tasks_too(tasks_sim):
    assert ids(tasks_sim.call(key="other", secret="othersecret"))[0] == "17"
    assert "17" not in ids(tasks_sim.call())


FILTERS = [
    ({"TaskId": "14"}, ["14"]),
    ({"TaskId": "16"}, []),                                   # older than the default window
    ({"TaskId": "18"}, []),                                   # not created yet
    ({"ObjectPath": "http://b.example.com/v.mp4"}, ["13"]),
    ({"ObjectPath": "http://b.example.com/v.mp"}, []),        # exact match only
    ({"ObjectType": "directory"}, ["11"]),
    ({"ObjectType": "file"}, ["19", "15", "10", "14"]),
    ({"ObjectType": "file", "DomainName": "a.example.com"}, ["19", "10"]),
    ({"ObjectType": "file", "DomainName": "A.EXAMPLE.COM"}, ["19", "10"]),
    ({"ObjectType": "file", "DomainName": "a.example.com,c.example.com"}, ["19", "15", "10", "14"]),
    ({"ObjectType": "regex", "DomainName": "a.example.com"}, []),
    ({"ObjectType": "file", "Status": "Failed"}, ["14"]),
    ({"ObjectType": "file", "Status": "Refreshing"}, ["15"]),
    ({"ObjectType": "file", "Status": "Complete"}, ["10"]),   # Pending matches no Status filter
    ({"TaskId": "10", "ObjectType": "preload"}, []),
    ({"DomainName": "", "PageSize": ""}, VISIBLE),            # empty values count as absent
]


def test_filters(tasks_sim):
    for params, expected in FILTERS:
        assert ids(tasks_sim.call(params=params)) == expected, params


def test_pagination(tasks_sim):
    pages = [tasks_sim.call(params={"PageSize": 3, "PageNumber": n}).json for n in (1, 2, 3, 4)]
    assert [p["PageNumber"] for p in pages] == [1, 2, 3, 4]
    assert all(p["PageSize"] == 3 and p["TotalCount"] == len(VISIBLE) for p in pages)
    assert [[t["TaskId"] for t in p["Tasks"]["Task"]] for p in pages] == \
        [VISIBLE[0:3], VISIBLE[3:6], VISIBLE[6:7], []]


def test_time_window_selects_by_creation_time_inclusively(tasks_sim):
    # Task 10's CreationTime as both ends of the window (EndTime == StartTime is allowed).
    created = {t["TaskId"]: t["CreationTime"] for t in tasks_sim.call().json["Tasks"]["Task"]}["10"]
    assert ids(tasks_sim.call(params={"StartTime": created, "EndTime": created})) == ["10"]
    now = time.time()
    window = {"StartTime": api_time(now - 250), "EndTime": api_time(now - 75)}
    assert ids(tasks_sim.call(params=window)) == ["10", "11"]
    window = {"StartTime": api_time(now - THREE_DAYS + 5), "EndTime": api_time(now + 7200)}
    assert ids(tasks_sim.call(params=window)) == VISIBLE     # 18 is in range but not created yet


def _past(seconds):
    return api_time(time.time() - seconds)


VALIDATION = [
    ({"TaskId": "12a"}, "InvalidTaskId.Malformed"),
    ({"TaskId": "-5"}, "InvalidTaskId.Malformed"),
    ({"TaskId": "1,2"}, "InvalidTaskId.Malformed"),
    ({"DomainName": "a.example.com"}, "MissingParameter.ObjectType"),
    ({"Status": "Complete"}, "MissingParameter.ObjectType"),
    ({"ObjectType": "path"}, "InvalidObjectType.ValueNotSupported"),
    ({"ObjectType": "File"}, "InvalidObjectType.ValueNotSupported"),
    ({"ObjectType": "file", "Status": "Pending"}, "InvalidStatus.ValueNotSupported"),
    ({"ObjectType": "file", "Status": "complete"}, "InvalidStatus.ValueNotSupported"),
    ({"StartTime": "2024-01-01T00:00:00Z"}, "MissingTimeParameter"),
    ({"EndTime": "2024-01-01T00:00:00Z"}, "MissingTimeParameter"),
    ({"StartTime": "2024-01-01 00:00:00", "EndTime": "2024-01-01T00:00:00Z"}, "InvalidStartTime.Malformed"),
    ({"StartTime": "2024-01-01T00:00Z", "EndTime": "2024-01-01T00:00:00Z"}, "InvalidStartTime.Malformed"),
    ({"StartTime": "now", "EndTime": "2024-01-01T00:00:00Z"}, "InvalidStartTime.Malformed"),
    ("start-ok", "InvalidEndTime.Malformed"),
    ("end-before-start", "InvalidEndTime.Mismatch"),
    ("too-old", "InvalidTime"),
    ("future-start", "InvalidStartTime.ValueNotSupported"),
    ({"ObjectType": "file", "DomainName": ",".join(f"d{i}.example.com" for i in range(501))},
     "DomainNameOverLimit"),
    ({"PageNumber": "0"}, "InvalidParameter"),
    ({"PageNumber": "100001"}, "InvalidParameter"),
    ({"PageNumber": "x"}, "InvalidParameter"),
    ({"PageSize": "0"}, "InvalidParameter"),
    ({"PageSize": "51"}, "InvalidParameter"),
    ({"PageSize": "2.5"}, "InvalidParameter"),
]


def _resolve(case):
    """Cases that depend on the clock are named and built at call time."""
    if case == "start-ok":
        return {"StartTime": _past(60), "EndTime": "tomorrow"}
    if case == "end-before-start":
        return {"StartTime": _past(60), "EndTime": _past(120)}
    if case == "too-old":
        return {"StartTime": _past(THREE_DAYS + 60), "EndTime": _past(60)}
    if case == "future-start":
        return {"StartTime": api_time(time.time() + 120), "EndTime": api_time(time.time() + 240)}
    return case


def test_every_validation_rule(tasks_sim):
    """Each rule of the API page, with its code, HTTP 400 and the page's message."""
    for case, code in VALIDATION:
        resp = tasks_sim.call(params=_resolve(case))
        assert (resp.status, resp.code) == (400, code), (case, resp)
        assert resp.json["Message"] == ERRORS[code][1] or code == "InvalidParameter"


def test_limits_are_inclusive(tasks_sim):
    for name, value in (("PageNumber", "0"), ("PageSize", "51")):
        resp = tasks_sim.call(params={name: value})
        assert resp.code == "InvalidParameter" and name in resp.json["Message"]
    assert tasks_sim.call(params={"PageNumber": "100000", "PageSize": "50"}).status == 200
    assert tasks_sim.call(params={"PageNumber": "1", "PageSize": "1"}).status == 200
    domains = ",".join(f"d{i}.example.com" for i in range(499)) + ",a.example.com"
    assert ids(tasks_sim.call(params={"ObjectType": "file", "DomainName": domains})) == ["19", "10"]
    assert tasks_sim.call(params={"StartTime": _past(THREE_DAYS - 5), "EndTime": _past(0)}).status == 200


# -- sibling APIs -------------------------------------------------------------

def test_refresh_task_by_id(tasks_sim):
    resp = tasks_sim.call("DescribeDcdnRefreshTaskById", {"TaskId": "14,10,16,18,999,10"})
    assert resp.status == 200, resp
    body = resp.json
    assert list(body) == ["RequestId", "TotalCount", "Tasks"]
    # Known, created and visible to this key; the 3-day window does not apply here.
    assert body["TotalCount"] == 3
    assert [t["TaskId"] for t in body["Tasks"]] == ["10", "14", "16"]
    assert body["Tasks"][1]["Status"] == "Failed"


def test_refresh_task_by_id_errors_and_limit(tasks_sim):
    for value, code in ((",".join(str(i) for i in range(11)), "InvalidTaskId.ExceedLimit"),
                        ("10,abc", "InvalidTaskId.Malformed"),
                        (None, "MissingTaskId")):
        params = {} if value is None else {"TaskId": value}
        resp = tasks_sim.call("DescribeDcdnRefreshTaskById", params)
        assert (resp.status, resp.code) == (400, code), resp
    resp = tasks_sim.call("DescribeDcdnRefreshTaskById", {"TaskId": ",".join(str(i) for i in range(10, 20))})
    assert resp.json["TotalCount"] == 8      # all but 17 (other key) and 18 (future)


def test_refresh_quota(tasks_sim):
    body = tasks_sim.call("DescribeDcdnRefreshQuota").json
    assert set(body) == {"RequestId", *DEFAULT_QUOTA}
    assert all(isinstance(v, str) for v in body.values())
    assert (body["UrlQuota"], body["UrlRemain"], body["RegexRemain"]) == ("500", "480", "3")
    assert body["DirQuota"] == "100"


# -- the clock ----------------------------------------------------------------

def test_tasks_appear_and_change_state_on_the_clock(start_sim):
    sim = start_sim({"tasks": [
        {"id": "1", "path": "http://a.example.com/1", "created": 0,
         "states": [{"after": 0, "status": "Pending", "process": "0%"},
                    {"after": 1, "status": "Refreshing", "process": "40%"},
                    {"after": 30, "status": "Failed", "process": "40%"}]},
        {"id": "2", "path": "http://a.example.com/2", "created": 1},
        {"id": "3", "path": "http://a.example.com/3", "created": -70,
         "states": [{"after": 0, "status": "Refreshing"},
                    {"after": 71, "status": "Failed", "process": "40%"}]},
    ]})
    first = sim.call().json["Tasks"]["Task"]
    # Task 1 was created at the simulator's zero (its start, rounded down).
    zero = calendar.timegm(time.strptime(first[0]["CreationTime"], "%Y-%m-%dT%H:%M:%SZ"))
    if time.time() - zero < 0.95:     # else this slow machine crossed the boundary already
        assert [(t["TaskId"], t["Status"], t["Process"]) for t in first] == \
            [("1", "Pending", "0%"), ("3", "Refreshing", "50%")]
    time.sleep(max(0.0, zero + 1.05 - time.time()))
    second = {t["TaskId"]: t for t in sim.call().json["Tasks"]["Task"]}
    assert set(second) == {"1", "2", "3"}
    assert (second["1"]["Status"], second["1"]["Process"]) == ("Refreshing", "40%")
    assert (second["3"]["Status"], second["3"]["Description"]) == ("Failed", "InternalError")


def test_state_timeline_boundaries():
    scenario = load_scenario({"tasks": [
        {"id": "1", "path": "http://a/1", "created": -10,
         "states": [{"after": 0, "status": "Pending"}, {"after": 20, "status": "Refreshing"},
                    {"after": 60, "status": "Complete"}]}]}, 1000)
    task = scenario.tasks[0]
    assert task.created_at == 990
    assert not task.visible("k", 989.9) and task.visible("k", 990)
    assert [task.state_at(990 + s).status for s in (0, 19.9, 20, 59, 60, 10**6)] == \
        ["Pending", "Pending", "Refreshing", "Refreshing", "Complete", "Complete"]
    assert task.state_at(1010).process == "50%"
