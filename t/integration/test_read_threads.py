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
