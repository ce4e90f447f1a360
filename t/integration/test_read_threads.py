"""A poll never holds collectd's read threads. Twelve accounts whose cold
starts each need most of an interval (a low RateLimit), in one collectd
with ReadThreads 2 beside the load plugin: the host's values keep their
interval, collectd never says a dcdn read took longer than its interval,
and every account reaches its counts as fast as its own RateLimit allows.
With the polls inside the read callbacks (the build before the accounts
had their own threads), 12 reads of 1.5 s on 2 threads took 9 s a round."""

import math
import time

from accounts import account_block
from harness import Collectd, wait_for

ACCOUNTS = 12
TASKS = 300            # 6 pages of 50
INTERVAL = 2
RATE = 2               # a budget of floor(0.8 x 2 x 2) = 3 calls a poll
BUDGET = 3
RUN = 14               # seconds watched


def tasks_of(a):
    return [{"id": str(1000000 * (a + 1) + i), "path": f"http://a{a}.example.com/{i}",
             "type": "file", "created": -(i % 3000) - 5, "key": f"key{a}"}
            for i in range(TASKS)]


def test_twelve_slow_accounts_leave_collectds_read_threads_free(start_simulator, tmp_path):
    tasks = [t for a in range(ACCOUNTS) for t in tasks_of(a)]
    sim = start_simulator(scenario={"tasks": tasks},
                          credentials=[f"key{a}:secret{a}" for a in range(ACCOUNTS)])
    config = "\n".join(
        account_block(f"acct{a}", sim, key=f"key{a}", secret=f"secret{a}",
                      domains=[f"a{a}.example.com"],
                      extra=f"RateLimit {RATE}\nCollectQuota false")
        for a in range(ACCOUNTS))
    daemon = Collectd(tmp_path, config, interval=INTERVAL,
                      extra_config="ReadThreads 2\nLoadPlugin load\n")
    daemon.config_path.chmod(0o600)
    started = time.time()
    daemon.start()
    try:
        time.sleep(RUN)
        values = daemon.values()
        load = [t for t, _ in daemon.rows("load/load")]
    finally:
        daemon.stop()

    # The host's values keep their interval.
    assert len(load) >= RUN / INTERVAL - 2, load
    gaps = [b - a for a, b in zip(load, load[1:])]
    assert max(gaps) <= 1.5 * INTERVAL, f"load values {gaps} apart"
    slow = daemon.log_lines("above its read interval")
    assert not slow, slow

    # Every account's counts, as fast as its RateLimit allows: 6 pages at 3
    # calls a poll are 2 polls; their values come with the next read.
    polls = math.ceil(TASKS / 50 / BUDGET)
    for a in range(ACCOUNTS):
        assert values.get(f"dcdn-a{a}.example.com/count-file-complete") == TASKS, a
        rows = daemon.rows(f"dcdn-a{a}.example.com/count-file-complete")
        first = min(t for t, v in rows if v == TASKS)
        assert first - started <= (polls + 1) * INTERVAL + 1.5, (a, first - started)

    # One poll's values carry its time: the account's and its domain's.
    calls = {t for t, _ in daemon.rows("dcdn-acct0/total_requests-calls")}
    stale = {t for t, _ in daemon.rows("dcdn-a0.example.com/duration-staleness")}
    assert calls and calls == stale
    # The simulator never throttled: each account kept its own rate.
    assert all(r["status"] == 200 for r in sim.records())


SLOW_READ = '''import collectd, time
def read():
    time.sleep(4)
collectd.register_read(read, 6)
'''


def test_overrunning_polls_and_a_held_up_read_thread_keep_every_series_in_order(
        start_simulator, tmp_path):
    """Polls that overrun their interval (answers delayed past it) and a
    read thread held up by another plugin (ReadThreads 1 beside a Python
    read of 4 s): each read sends one poll, so a writer never gets two
    values of a series less than a second apart or out of order (rrdtool
    refuses those; collectd's cache says "Value too old"), and no count is
    lost. Before, the polls not sent yet went out back to back in one read:
    rrdtool refused about a hundred updates in 40 s."""
    tasks = [{"id": str(5000 + i), "path": f"http://a.example.com/{i}", "type": "file",
              "created": -30 - i, "states": [{"after": 0, "status": "Refreshing"},
                                             {"after": 4 + i, "status": "Complete"}]}
             for i in range(20)]
    sim = start_simulator(scenario={"tasks": tasks, "faults": [
        {"kind": "delay", "from": 3, "seconds": 2.5, "chance": 0.4,
         "action": "DescribeDcdnRefreshTasks"}]})
    (tmp_path / "py").mkdir()
    (tmp_path / "py" / "slowread.py").write_text(SLOW_READ)
    extra = f"""ReadThreads 1
<LoadPlugin python>
  Globals true
</LoadPlugin>
<Plugin python>
  ModulePath "{tmp_path / 'py'}"
  Import "slowread"
</Plugin>
LoadPlugin rrdtool
<Plugin rrdtool>
  DataDir "{tmp_path / 'rrd'}"
</Plugin>
"""
    daemon = Collectd(tmp_path, account_block("acct0", sim, domains=["a.example.com"],
                                              extra="CollectQuota false\nTimeout 10"),
                      interval=INTERVAL, extra_config=extra)
    daemon.config_path.chmod(0o600)
    daemon.start()
    try:
        wait_for(lambda: daemon.values().get("dcdn-a.example.com/count-file-complete") == 20,
                 timeout=60, what="every task counted complete")
        time.sleep(3 * INTERVAL)
    finally:
        daemon.stop()
    log = daemon.log().splitlines()
    # rrdtool refuses an update less than a second after the last, or
    # older ("illegal attempt to update"); its notice that a file "is
    # already being created" is its own race on a slow disk, not ours.
    refused = [l for l in log if "illegal attempt to update" in l and "dcdn-" in l]
    assert not refused, refused[:3]
    assert not [l for l in log if "Value too old" in l]
    series = [s for s in daemon.values() if s.startswith("dcdn-")]
    assert "dcdn-a.example.com/total_operations-file-completed" in series
    for s in series:
        times = [t for t, _ in daemon.rows(s)]
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert all(g >= 0.999 for g in gaps), (s, gaps)
    # Each task's completion counted once, its duration sent once.
    completed = daemon.rows("dcdn-a.example.com/total_operations-file-completed")
    assert completed[-1][1] == 20
    # The held-up read thread is said once.
    late = daemon.log_lines("its polls wait for the reads")
    assert len(late) <= 1, late
