"""Tasks a DomainName query lists besides their own host's ("listed_under",
as a wildcard accelerated domain's tasks), answer fields sent raw ("raw":
unreadable, hostile or wrongly typed values), and quota members sent
verbatim."""

import json

import pytest

from simclient import answered_tasks as tasks
from simclient import task_ids as ids
from dcdn_simulator.scenario import ScenarioError, load_scenario

LIST, BY_ID, QUOTA = "DescribeDcdnRefreshTasks", "DescribeDcdnRefreshTaskById", "DescribeDcdnRefreshQuota"
TASK_FIELDS = ["Status", "CreationTime", "ObjectType", "Process", "Description", "ObjectPath", "TaskId"]

LISTED = {
    "tasks": [
        {"id": "20", "path": "http://shop.example.net/x", "created": -100,
         "listed_under": ["*.Example.com", "www.example.com"]},
        {"id": "21", "path": "http://www.example.com/y", "created": -200},
        {"id": "22", "path": "http://other.example.org/z", "created": -300},
    ],
    "generate": [{"count": 3, "domains": ["img.example.org"], "types": ["file"], "id_start": 900,
                  "created_from": -900, "created_to": -700, "listed_under": ["*.example.org"]}],
}


def by_domain(sim, names, **kw):
    return sim.call(params={"ObjectType": "file", "DomainName": names}, **kw)


def test_listed_under_names_list_the_task_besides_its_own_host(start_sim):
    sim = start_sim(LISTED)
    assert ids(by_domain(sim, "www.example.com")) == ["20", "21"]
    assert ids(by_domain(sim, "*.example.com")) == ["20"]
    assert ids(by_domain(sim, "shop.example.net")) == ["20"]          # its own host still
    assert ids(by_domain(sim, "www.example.com,*.example.com")) == ["20", "21"]   # once
    assert ids(by_domain(sim, "*.example.org")) == ["902", "901", "900"]
    assert ids(by_domain(sim, "img.example.org")) == ["902", "901", "900"]
    resp = sim.call()
    assert ids(resp) == ["20", "21", "22", "902", "901", "900"] and resp.json["TotalCount"] == 6
    # The answer shows the task as it is: its own path.
    assert tasks(by_domain(sim, "www.example.com"))[0]["ObjectPath"] == "http://shop.example.net/x"


def test_a_key_granted_a_listed_under_name_may_see_the_task(start_sim):
    sim = start_sim(LISTED, args=["--credentials", "testid:testsecret", "--credentials", "w:wsecret",
                                  "--credentials", "o:osecret",
                                  "--ram-domains", "w=www.example.com", "--ram-domains", "o=other.example.org"])
    w, o = {"key": "w", "secret": "wsecret"}, {"key": "o", "secret": "osecret"}
    assert ids(by_domain(sim, "www.example.com", **w)) == ["20", "21"]
    assert ids(sim.call(BY_ID, {"TaskId": "20,21,22"}, **w)) == ["20", "21"]
    assert ids(sim.call(BY_ID, {"TaskId": "20,21,22"}, **o)) == ["22"]
    assert by_domain(sim, "shop.example.net", **w).code == "Forbidden.RAM"


def test_bad_listed_under_is_refused():
    for value, where in (("www.example.com", "tasks[0]"), (["http://www.example.com/"], "tasks[0]"),
                         (["a.*.example.com"], "tasks[0]"), ([5], "tasks[0]")):
        with pytest.raises(ScenarioError) as err:
            load_scenario({"tasks": [{"id": "1", "path": "http://a.example.com/", "listed_under": value}]}, 0)
        assert f'{where}: "listed_under" must be a list of domain names' in str(err.value)
    with pytest.raises(ScenarioError) as err:
        load_scenario({"generate": [{"count": 1, "domains": ["a"], "listed_under": ["*"]}]}, 0)
    assert 'generate[0]: "listed_under" must be a list of domain names' in str(err.value)


RAW = {
    "tasks": [
        {"id": "30", "path": "http://a.example.com/1", "created": -100,
         "raw": {"Process": "N/A", "CreationTime": "2026-01-01T10:00:00.123Z", "TaskId": "12\nforged"}},
        {"id": "31", "path": "http://a.example.com/2", "created": -200,
         "states": [{"after": 0, "status": "Refreshing"}],
         "raw": {"Status": "Complete\n", "ObjectType": "file\u001b[31m",
                 "ObjectPath": "http://bad host\n/x", "Description": "<script>\u0000"}},
        {"id": "32", "path": "http://a.example.com/3", "created": -300,
         "raw": {"Process": 50, "Description": None, "TaskId": 32, "Extra": {"a": [1]}}},
        {"id": "33", "path": "http://a.example.com/4", "created": -400},
    ],
    "generate": [{"count": 2, "domains": ["g.example.com"], "types": ["file"], "id_start": 700,
                  "created_from": -600, "raw": {"Status": None}}],
}


def test_raw_fields_replace_the_answer_only(start_sim):
    sim = start_sim(RAW)
    listed = tasks(sim.call())
    # Order, filtering and status still come from the tasks' own times.
    assert [t["TaskId"] for t in listed] == ["12\nforged", "31", 32, "33", "701", "700"]
    first, second, third, fourth = listed[:4]
    assert (first["Process"], first["CreationTime"], first["TaskId"]) == ("N/A", "2026-01-01T10:00:00.123Z",
                                                                          "12\nforged")
    assert list(first) == TASK_FIELDS                      # overrides keep the fields' places
    assert (second["Status"], second["ObjectType"], second["Description"]) == ("Complete\n", "file\u001b[31m",
                                                                               "<script>\u0000")
    assert second["ObjectPath"] == "http://bad host\n/x"
    assert third["Process"] == 50 and third["Description"] is None and third["TaskId"] == 32
    assert third["Extra"] == {"a": [1]} and list(third) == TASK_FIELDS + ["Extra"]
    assert (fourth["TaskId"], fourth["Process"], fourth["Status"]) == ("33", "100%", "Complete")
    assert list(fourth) == TASK_FIELDS and all(isinstance(v, str) for v in fourth.values())
    assert [t["Status"] for t in listed[4:]] == [None, None]
    refreshing = sim.call(params={"ObjectType": "file", "Status": "Refreshing"})
    assert [t["Status"] for t in tasks(refreshing)] == ["Complete\n"]   # task 31, really Refreshing


def test_raw_fields_in_by_id_answers(start_sim):
    sim = start_sim(RAW)
    found = tasks(sim.call(BY_ID, {"TaskId": "30,32,701"}))
    assert [t["TaskId"] for t in found] == ["12\nforged", 32, "701"]
    assert found[0]["Process"] == "N/A" and found[1]["Process"] == 50 and found[2]["Status"] is None
    assert tasks(sim.call(BY_ID, {"TaskId": "12"})) == []           # the forged id is no task's
    # Sent as JSON escapes: the bytes on the wire stay one line of valid JSON.
    body = sim.call(BY_ID, {"TaskId": "31"}).body
    assert b"\n" not in body and b'"Complete\\n"' in body and b"file\\u001b[31m" in body


def test_bad_raw_is_refused():
    with pytest.raises(ScenarioError) as err:
        load_scenario({"tasks": [{"id": "1", "path": "http://a/", "raw": ["Status"]}]}, 0)
    assert 'tasks[0]: "raw" must be an object of answer fields' in str(err.value)
    with pytest.raises(ScenarioError) as err:
        load_scenario({"generate": [{"count": 1, "domains": ["a"], "raw": "x"}]}, 0)
    assert 'generate[0]: "raw" must be an object of answer fields' in str(err.value)


def test_quota_members_are_sent_verbatim(start_sim):
    sim = start_sim({"quota": {"Evil\nQuota": "5", "FooQuota": "1", "UrlQuota": 7, "DirRemain": 2.5,
                               "NullQuota": None, "BoolQuota": True, "\u001b[31mRed": "x"}})
    resp = sim.call(QUOTA)
    assert resp.status == 200, resp
    body = resp.json
    assert (body["Evil\nQuota"], body["FooQuota"], body["\u001b[31mRed"]) == ("5", "1", "x")
    assert (body["UrlQuota"], body["DirRemain"]) == ("7", "2.5")      # numbers become strings
    assert body["NullQuota"] is None and body["BoolQuota"] is True    # anything else goes as is
    assert body["RegexQuota"] == "20"                                  # defaults stay
    assert b'"Evil\\nQuota":"5"' in resp.body
    assert json.loads(resp.body) == body
