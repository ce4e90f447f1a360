"""The /proc sampler of the benchmarks (planner-bench, soak): CPU time (by
thread group) and resident memory of running collectd processes, twice a
second."""

import bisect
import collections
import glob
import os
import pathlib
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def read_proc(pid):
    """(CPU seconds, VmRSS in KiB, {thread group: CPU seconds}, CPU seconds
    from /proc/PID/stat). CPU is the sum of every live thread's
    /proc/PID/task/TID/schedstat (nanoseconds; collectd's threads live as
    long as it does), grouped by name: reader#N, writer#N, other."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2:].split()
        ticks = (int(fields[11]) + int(fields[12])) / CLK_TCK
        rss = 0
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
        threads = collections.Counter()
        for task in glob.glob(f"/proc/{pid}/task/*"):
            try:
                comm = pathlib.Path(task, "comm").read_text().strip()
                ns = int(pathlib.Path(task, "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue
            group = comm.split("#")[0] if "#" in comm else "other"
            threads[group] += ns / 1e9
        return sum(threads.values()), rss, dict(threads), ticks
    except (OSError, ValueError):
        return None


class Sampler(threading.Thread):
    """Samples CPU and RSS of the collectd processes twice a second."""

    def __init__(self, daemons):
        super().__init__(daemon=True)
        self.daemons = daemons
        self.samples = {name: [] for name in daemons}
        self.stopping = threading.Event()

    def sample_now(self):
        now = time.time()
        for name, d in self.daemons.items():
            if d.proc is not None and d.proc.poll() is None:
                got = read_proc(d.proc.pid)
                if got:
                    self.samples[name].append((now,) + got)

    def run(self):
        while not self.stopping.wait(0.5):
            self.sample_now()

    def at(self, name, t):
        """The last sample taken at or before t (or the first one)."""
        rows = self.samples[name]
        i = bisect.bisect_right([r[0] for r in rows], t) - 1
        return rows[max(i, 0)]
