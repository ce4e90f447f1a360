"""The scenario the dashboard tests run the real collectd on, against the
simulator: every domain and object type has tasks in every status, tasks
in flight for good, and tasks that complete or fail while collectd
watches; two faults make error codes (one of them with a dot, which
write_graphite escapes); the quota comes with every kind. Also what the
dashboards' variables must list for it, the series it must produce, and
the run itself (simulator, collectd with the writers under test)."""

from accounts import account_block
from harness import Collectd, Simulator, wait_for

TYPES = ["file", "directory", "regex", "preload"]
STATUSES = ["Pending", "Refreshing", "Complete", "Failed"]
# Domains as configured: one with every object type, one with two.
DOMAINS = {"www.example.com": TYPES, "img.example.com": ["file", "regex"]}
ACCOUNT = "prod"


def build_scenario():
    tasks, n = [], 5000

    def task(domain, typ, created, states):
        nonlocal n
        n += 1
        tasks.append({"id": str(n), "path": f"http://{domain}/d/{n}", "type": typ,
                      "created": created, "states": states})

    for domain, types in DOMAINS.items():
        for typ in types:
            task(domain, typ, -900, [{"after": 0, "status": "Complete"}])
            task(domain, typ, -800, [{"after": 0, "status": "Failed",
                                      "description": "OriginTimeout"}])
            task(domain, typ, -700, [{"after": 0, "status": "Pending"}])
            task(domain, typ, -600, [{"after": 0, "status": "Refreshing", "process": "40%"}])
            # Seen in flight, then finished, while collectd watches.
            task(domain, typ, 3, [{"after": 0, "status": "Pending"},
                                  {"after": 1, "status": "Refreshing", "process": "60%"},
                                  {"after": 3, "status": "Complete"}])
            task(domain, typ, 3, [{"after": 0, "status": "Refreshing", "process": "30%"},
                                  {"after": 3, "status": "Failed",
                                   "description": "InternalError"}])
    # Tasks of a domain nobody configured: never reported.
    task("other.example.net", "file", -500, [{"after": 0, "status": "Failed"}])
    faults = [{"kind": "status", "http": 503, "code": "ServiceUnavailable",
               "action": "DescribeDcdnRefreshTasks", "from": 2, "times": 1},
              {"kind": "status", "http": 400, "code": "Throttling.User",
               "action": "DescribeDcdnRefreshTasks", "from": 4, "times": 1}]
    return {"tasks": tasks, "faults": faults}


def implied_keys():
    """Series keys the scenario must produce (the CSV keys)."""
    keys = set()
    for domain, types in DOMAINS.items():
        for typ in types:
            keys |= {f"dcdn-{domain}/count-{typ}-{s.lower()}" for s in STATUSES}
            keys |= {f"dcdn-{domain}/duration-{typ}-{ti}"
                     for ti in ("completion_mean", "completion_max", "oldest_in_flight")}
            keys |= {f"dcdn-{domain}/percent-{typ}-progress",
                     f"dcdn-{domain}/total_operations-{typ}-completed",
                     f"dcdn-{domain}/total_operations-{typ}-failed"}
    return keys | {f"dcdn-{ACCOUNT}/errors-ServiceUnavailable",
                   f"dcdn-{ACCOUNT}/errors-Throttling.User",
                   f"dcdn-{ACCOUNT}/total_requests-throttled"}


def expected_variable_values(kind, series):
    """What each dashboard's variables must list for this scenario."""
    mangle = (lambda d: d.replace(".", "_")) if kind == "graphite" else (lambda d: d)
    return {"host": [series[0].host], "domain": sorted(mangle(d) for d in DOMAINS),
            "account": [ACCOUNT], "object_type": TYPES,
            "status": [s.lower() for s in STATUSES]}


def start_run(workdir, writers_config):
    """The simulator playing the scenario and collectd (csv, our plugin,
    the writers in writers_config) polling it every second, until every
    series the scenario implies is in the CSV output and the scenario has
    played out (its last tasks finish 6 s after the start). Returns
    (simulator, collectd); the caller stops both."""
    sim = Simulator(workdir, scenario=build_scenario())
    domains = [d if types == TYPES else (d, types) for d, types in DOMAINS.items()]
    daemon = Collectd(workdir, account_block(ACCOUNT, sim, domains=domains,
                                             extra="StuckAfter 3600"),
                      extra_config=writers_config)
    try:
        daemon.start()
        wait_for(lambda: implied_keys() <= set(daemon.values()) and
                 daemon.values().get("dcdn-www.example.com/count-file-complete") == 2,
                 timeout=60, interval=0.5, what="the scenario's series in the CSV output")
    except BaseException:
        daemon.stop()
        sim.stop()
        raise
    return sim, daemon
