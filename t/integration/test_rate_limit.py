"""No code path sends more than RateLimit calls a second to one account,
measured by the simulator's record of arrival times."""

from accounts import account_block
from harness import max_calls_in_window, wait_for


def many_tasks(domain, count):
    return [{"id": str(10000 + i), "path": f"http://{domain}/{i}", "type": "file",
             "created": -(i % 3000) - 5} for i in range(count)]


def test_twelve_pages_a_second_stay_within_five_calls_per_second(start_simulator,
                                                                   start_collectd):
    # 600 tasks are 12 pages; with Interval 1 the plugin would like 12 calls
    # a second, and must spread them out instead.
    sim = start_simulator(scenario={"tasks": many_tasks("a.example.com", 600)})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    wait_for(lambda: len(sim.records()) >= 40, timeout=30, what="40 calls")
    daemon.stop()
    arrivals = [r["t"] for r in sim.records() if r["key"] == "testid"]
    assert max_calls_in_window(arrivals) <= 5
    assert all(r["status"] == 200 for r in sim.records()), "the simulator throttled us"
    assert daemon.values()["dcdn-a.example.com/count-file-complete"] == 600.0


def test_a_fractional_rate_limit_is_honoured(start_simulator, start_collectd):
    sim = start_simulator(scenario={"tasks": many_tasks("a.example.com", 200)})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"],
                                          extra="RateLimit 2.5"))
    wait_for(lambda: len(sim.records()) >= 8, timeout=30, what="8 calls")
    daemon.stop()
    arrivals = [r["t"] for r in sim.records()]
    assert max_calls_in_window(arrivals, window=1.0) <= 2


def test_a_request_reset_on_a_reused_connection_is_sent_again_only_when_booked(
        start_simulator, start_collectd):
    # The first call opens the connection; the second, on it, is reset
    # after the simulator read it. libcurl would send it again at once on a
    # new connection, unbooked; the plugin's retry comes after its backoff.
    sim = start_simulator(scenario={"tasks": many_tasks("a.example.com", 3),
                                    "faults": [{"kind": "delay", "seconds": 0, "times": 1},
                                               {"kind": "reset", "times": 1}]})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    wait_for(lambda: len(sim.records()) >= 4, what="four calls")
    records = sim.records()
    reset = next(i for i, r in enumerate(records) if r["fault"] == "reset")
    again = records[reset + 1]
    assert again["action"] == records[reset]["action"]
    assert again["t"] - records[reset]["t"] >= 0.1, "sent again without backoff"
    assert not daemon.log_lines("[error]"), "the retry succeeded"
