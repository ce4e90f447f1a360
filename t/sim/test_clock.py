"""The simulator's own clock: --clock-offset and the scenario's "clock"
steps move every time the API shows or checks (the Date header, the
Timestamp check, StartTime's 3-day and future checks, the default window,
task creation and state times, metadata credentials), while fault windows
and the steps themselves stay on the real clock."""

import calendar
import email.utils
import re
import time

import pytest

from simclient import answered_tasks, api_time, exits_2
from dcdn_simulator.clock import Clock
from dcdn_simulator.scenario import ScenarioError, load_scenario

THREE_DAYS = 259200
OFFSET = 100000
DATE = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                  r"\d{4} \d\d:\d\d:\d\d GMT")
INVALID_TIME = "The query time cannot exceed the last 3 days."

SCENARIO = {
    "tasks": [
        {"id": "10", "path": "http://a.example.com/base", "created": -7200},
        {"id": "11", "path": "http://a.example.com/slow", "created": -10,
         "states": [{"after": 0, "status": "Refreshing", "process": "5%"},
                    {"after": 7200, "status": "Complete", "process": "100%"}]},
        {"id": "12", "path": "http://a.example.com/old", "created": -(THREE_DAYS - 3600)},
        {"id": "13", "path": "http://a.example.com/later", "created": 3600},
        {"id": "14", "path": "http://a.example.com/too-old", "created": -(THREE_DAYS + 100)},
    ],
    "faults": [{"kind": "status", "action": "DescribeDcdnRefreshQuota"}],
}


def server_time(resp):
    date = resp.headers["Date"]
    assert DATE.fullmatch(date), date
    return email.utils.parsedate_to_datetime(date).timestamp()


def assert_clock(resp, offset, slack=3):
    assert abs(server_time(resp) - (time.time() + offset)) < slack, (resp.headers["Date"], offset)


def signed_at(offset):
    """A Timestamp right for a simulator whose clock is `offset` ahead."""
    return api_time(time.time() + offset)


def tasks(resp):
    return {t["TaskId"]: t for t in answered_tasks(resp)}


def test_clock_arithmetic():
    clock = Clock(1000.5, 5, ((10, 50), (10, 60), (20, -5)))
    assert clock.zero == 1005
    assert clock.at(1001) == 1006                       # before the first step
    assert clock.at(1010.5) == 1070.5                   # the last step whose "from" has come
    assert clock.at(1030) == 1025
    assert Clock(1000.5).at(1234) == 1234
    assert Clock(1000.5, -0.75).zero == 999


@pytest.mark.parametrize("offset", [OFFSET, -OFFSET])
def test_date_header_on_every_answer_comes_from_the_simulators_clock(start_sim, offset):
    sim = start_sim(SCENARIO, args=["--clock-offset", str(offset), "--ram-role", "monitor"])
    answers = [
        sim.call(timestamp=signed_at(offset)),                           # 200
        sim.call(),                                                       # a real-clock Timestamp: refused
        sim.call("DescribeDcdnRefreshQuota", timestamp=signed_at(offset)),  # a fault's answer
        sim.raw("GET", "/nowhere"),                                       # 404 InvalidAction.NotFound
        sim.metadata_token(),
        sim.metadata(),
        sim.metadata("/latest/meta-data/ram/security-credentials/other"),  # 404, text/plain
    ]
    assert [r.status for r in answers] == [200, 400, 503, 404, 200, 200, 404]
    assert answers[1].code == "InvalidTimeStamp.Expired"
    for resp in answers:
        assert_clock(resp, offset)


def test_without_an_offset_the_date_header_is_the_real_clock(sim):
    assert_clock(sim.call(), 0)


def test_timestamp_check_follows_the_clock(start_sim):
    sim = start_sim(SCENARIO, args=["--clock-offset", str(OFFSET)])
    assert sim.call(timestamp=signed_at(OFFSET - 14 * 60)).status == 200
    assert sim.call(timestamp=signed_at(OFFSET + 14 * 60), sig="v1").status == 200
    for stamp, sig in ((signed_at(OFFSET + 16 * 60), "v3"), (signed_at(OFFSET - 16 * 60), "v1"),
                       (api_time(), "v3")):
        assert sim.call(timestamp=stamp, sig=sig).code == "InvalidTimeStamp.Expired"


def window(sim, start, end, offset):
    return sim.call(params={"StartTime": api_time(start), "EndTime": api_time(end)},
                    timestamp=signed_at(offset))


def test_start_time_checks_follow_the_clock(start_sim):
    sim = start_sim(SCENARIO, args=["--clock-offset", str(OFFSET)])
    now = time.time() + OFFSET
    resp = window(sim, now - THREE_DAYS - 60, now, OFFSET)
    assert (resp.status, resp.code, resp.json["Message"]) == (400, "InvalidTime", INVALID_TIME)
    assert window(sim, now - THREE_DAYS + 60, now, OFFSET).status == 200
    resp = window(sim, now + 60, now + 120, OFFSET)
    assert (resp.status, resp.code) == (400, "InvalidStartTime.ValueNotSupported")
    # What is the future on the real clock is the past on the simulator's.
    assert window(sim, time.time() + 60, time.time() + 120, OFFSET).status == 200
    behind = start_sim(SCENARIO, args=["--clock-offset", str(-OFFSET)])
    resp = window(behind, time.time() - 60, time.time(), -OFFSET)
    assert (resp.status, resp.code) == (400, "InvalidStartTime.ValueNotSupported")


def test_task_times_and_the_default_window_follow_the_clock(start_sim):
    before = time.time()
    sim = start_sim(SCENARIO, args=["--clock-offset", str(OFFSET)])
    listed = tasks(sim.call(timestamp=signed_at(OFFSET)))
    # A window on the real clock would end before every task and list none.
    assert sorted(listed) == ["10", "11", "12"]
    zero = sim_zero(listed["10"], -7200)
    assert int(before + OFFSET) <= zero <= time.time() + OFFSET
    assert sim_zero(listed["11"], -10) == zero and listed["11"]["Status"] == "Refreshing"
    found = tasks(sim.call("DescribeDcdnRefreshTaskById", {"TaskId": "14"}, timestamp=signed_at(OFFSET)))
    assert sim_zero(found["14"], -(THREE_DAYS + 100)) == zero


def epoch(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def sim_zero(task, created):
    """The scenario's zero, as a task's CreationTime shows it."""
    return epoch(task["CreationTime"]) - created


def test_metadata_credentials_carry_the_simulators_times(start_sim):
    sim = start_sim(SCENARIO, args=["--clock-offset", str(-OFFSET), "--ram-role", "monitor",
                                    "--sts-lifetime", "600"])
    creds = sim.role_credentials("monitor")
    issued, expires = epoch(creds["LastUpdated"]), epoch(creds["Expiration"])
    assert abs(issued - (time.time() - OFFSET)) < 3 and expires - issued == 600
    resp = sim.call(key=creds["AccessKeyId"], secret=creds["AccessKeySecret"],
                    token=creds["SecurityToken"], timestamp=signed_at(-OFFSET))
    assert resp.status == 200, resp


def test_sts_expiry_runs_on_the_simulators_clock(start_sim):
    sim = start_sim(SCENARIO, args=["--clock-offset", "-600", "--credentials", "sts:stssecret:tok",
                                    "--sts-expire-after", "1"])
    sts = {"key": "sts", "secret": "stssecret", "token": "tok"}
    assert sim.call(timestamp=signed_at(-600), **sts).status == 200
    time.sleep(1.2)
    assert sim.call(timestamp=signed_at(-600), **sts).code == "InvalidSecurityToken.Expired"


def test_clock_steps_move_the_api_during_a_run(start_sim):
    """--clock-offset 600 until 1.5 s, then a day ahead until 3 s, then an hour behind."""
    scenario = {**SCENARIO, "clock": [{"from": 1.5, "offset": 86400}, {"from": 3, "offset": -3600}]}
    sim = start_sim(scenario, args=["--clock-offset", "600"])
    began = time.monotonic()

    def phase(offset):
        resp = sim.call(timestamp=signed_at(offset))
        assert_clock(resp, offset, slack=2)
        assert sim.call(timestamp=signed_at(offset - 3600)).code == "InvalidTimeStamp.Expired"
        return tasks(resp)

    first = phase(600)
    assert sorted(first) == ["10", "11", "12"] and first["11"]["Status"] == "Refreshing"
    time.sleep(max(0, began + 1.8 - time.monotonic()))
    second = phase(86400)
    # A day on: "later" exists, "slow" is done, "old" has left the 3-day window.
    assert sorted(second) == ["10", "11", "13"] and second["11"]["Status"] == "Complete"
    time.sleep(max(0, began + 3.3 - time.monotonic()))
    third = phase(-3600)
    # An hour behind the real clock (4200 s before zero): tasks created since do not exist
    # yet, and the window reaches back far enough for "too-old".
    assert sorted(third) == ["10", "12", "14"]
    # The zero was fixed once, at the start, from --clock-offset.
    assert first["10"]["CreationTime"] == second["10"]["CreationTime"] == third["10"]["CreationTime"]


BAD_CLOCK = [
    ({"clock": {"from": 0, "offset": 1}}, "clock: must be a list of steps"),
    ({"clock": [5]}, "clock[0]: must be an object"),
    ({"clock": [{"from": 1}]}, 'clock[0]: needs "from" and "offset"'),
    ({"clock": [{"offset": 1}]}, 'clock[0]: needs "from" and "offset"'),
    ({"clock": [{"from": 1, "offset": "5"}]}, 'clock[0]: "offset" must be a number'),
    ({"clock": [{"from": 1, "offset": 5, "at": 2}]}, "clock[0]: unknown member(s) at"),
    ({"clock": [{"from": 2, "offset": 5}, {"from": 1, "offset": 0}]}, 'clock[1]: "from" must not decrease'),
]


def test_bad_clock_steps_are_refused_naming_the_member():
    for scenario, message in BAD_CLOCK:
        with pytest.raises(ScenarioError) as err:
            load_scenario(scenario, 0)
        assert message in str(err.value), scenario
    steps = load_scenario({"clock": [{"from": -1, "offset": 5}, {"from": -1, "offset": -2.5}]}, 0).clock
    assert steps == ((-1.0, 5.0), (-1.0, -2.5))


def test_bad_clock_options_exit_2(tmp_path):
    for value in ("soon", "inf", "nan", ""):
        err = exits_2(tmp_path, args=["--clock-offset", value])
        assert f"argument --clock-offset: expected a number, got {value!r}" in err
    assert 'bad scenario: clock[0]: needs "from" and "offset"' in exits_2(tmp_path, {"clock": [{"from": 1}]})
