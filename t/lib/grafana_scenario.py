"""The scenario the dashboard tests run the real collectd on, against the
simulator: one account of each product (DCDN and CDN) on the same
simulator; for each product every domain and object
type has tasks in every status, tasks in flight for good, and tasks that
complete or fail while collectd watches; faults make error codes (one of
them with a dot, which write_graphite escapes); the quota comes with every
kind. Also what the dashboards' variables must list for it, the series it
must produce, and the run itself (simulator, collectd with the writers
under test)."""

from accounts import account_block
from harness import Collectd, Simulator, wait_for

TYPES = ["file", "directory", "regex", "preload"]
STATUSES = ["Pending", "Refreshing", "Complete", "Failed"]
# Per product: the account and its domains as configured (domain: object
# types), each with a domain of all types and one of two.
ACCOUNTS = {
    "dcdn": ("prod", {"www.example.com": TYPES, "img.example.com": ["file", "regex"]}),
    "cdn": ("edge", {"cdn.example.org": TYPES, "static.example.com": ["file", "preload"]}),
}
PRODUCTS = list(ACCOUNTS)
# Each product's tasks of its first domain's files that are Complete: an
# extra one on CDN, and one of each product on the other's first domain,
# never counted (each account sees only its product's tasks).
FILES_COMPLETE = {"dcdn-www.example.com": 2, "cdn-cdn.example.org": 3}
# The action each product lists its tasks with, and the throttling code it answers.
LIST_ACTION = {"dcdn": "DescribeDcdnRefreshTasks", "cdn": "DescribeRefreshTasks"}
THROTTLED = {"dcdn": "Throttling.User", "cdn": "Throttling"}


def domain_pairs():
    """{(product, domain)} of every configured domain."""
    return {(product, d) for product, (_, domains) in ACCOUNTS.items() for d in domains}


def build_scenario():
    tasks, n = [], 5000

    def task(product, domain, typ, created, states):
        nonlocal n
        n += 1
        tasks.append({"id": str(n), "product": product, "path": f"http://{domain}/d/{n}",
                      "type": typ, "created": created, "states": states})

    for product, (_, domains) in ACCOUNTS.items():
        for domain, types in domains.items():
            for typ in types:
                task(product, domain, typ, -900, [{"after": 0, "status": "Complete"}])
                task(product, domain, typ, -800, [{"after": 0, "status": "Failed",
                                                   "description": "OriginTimeout"}])
                task(product, domain, typ, -700, [{"after": 0, "status": "Pending"}])
                task(product, domain, typ, -600, [{"after": 0, "status": "Refreshing",
                                                   "process": "40%"}])
                # Seen in flight, then finished, while collectd watches.
                task(product, domain, typ, 3, [{"after": 0, "status": "Pending"},
                                               {"after": 1, "status": "Refreshing",
                                                "process": "60%"},
                                               {"after": 3, "status": "Complete"}])
                task(product, domain, typ, 3, [{"after": 0, "status": "Refreshing",
                                                "process": "30%"},
                                               {"after": 3, "status": "Failed",
                                                "description": "InternalError"}])
    task("cdn", "cdn.example.org", "file", -850, [{"after": 0, "status": "Complete"}])
    # Tasks of domains the product's account did not configure (those of
    # the other product's account among them): never reported.
    task("dcdn", "other.example.net", "file", -500, [{"after": 0, "status": "Failed"}])
    task("cdn", "www.example.com", "file", -850, [{"after": 0, "status": "Complete"}])
    task("cdn", "img.example.com", "regex", -500, [{"after": 0, "status": "Failed"}])
    task("dcdn", "cdn.example.org", "file", -850, [{"after": 0, "status": "Complete"}])
    faults = []
    for product, action in LIST_ACTION.items():
        faults += [{"kind": "status", "http": 503, "code": "ServiceUnavailable",
                    "action": action, "from": 2, "times": 1},
                   {"kind": "status", "http": 400 if product == "dcdn" else 503,
                    "code": THROTTLED[product], "action": action, "from": 4, "times": 1}]
    return {"tasks": tasks, "faults": faults}


def implied_keys():
    """Series keys the scenario must produce (the CSV keys)."""
    keys = set()
    for product, (account, domains) in ACCOUNTS.items():
        for domain, types in domains.items():
            for typ in types:
                pre = f"{product}-{domain}/"
                keys |= {f"{pre}count-{typ}-{s.lower()}" for s in STATUSES}
                keys |= {f"{pre}duration-{typ}-{ti}"
                         for ti in ("completion_mean", "completion_max", "oldest_in_flight")}
                keys |= {f"{pre}percent-{typ}-progress",
                         f"{pre}total_operations-{typ}-completed",
                         f"{pre}total_operations-{typ}-failed"}
        keys |= {f"{product}-{account}/errors-ServiceUnavailable",
                 f"{product}-{account}/errors-{THROTTLED[product]}",
                 f"{product}-{account}/total_requests-throttled"}
    # CDN's own quota kind (prefetches to L1 nodes).
    return keys | {f"cdn-{ACCOUNTS['cdn'][0]}/count-quota-preload_edge",
                   f"cdn-{ACCOUNTS['cdn'][0]}/count-remain-preload_edge"}


def expected_variable_values(kind, series, product):
    """What each dashboard's variables must list for this scenario with
    the product variable at product."""
    mangle = (lambda d: d.replace(".", "_")) if kind == "graphite" else (lambda d: d)
    account, domains = ACCOUNTS[product]
    return {"product": PRODUCTS, "host": [series[0].host],
            "domain": sorted(mangle(d) for d in domains), "account": [account],
            "object_type": TYPES, "status": [s.lower() for s in STATUSES]}


def _settled(values):
    return implied_keys() <= set(values) and \
        all(values.get(f"{d}/count-file-complete") == n for d, n in FILES_COMPLETE.items())


def start_run(workdir, writers_config):
    """The simulator playing the scenario and collectd (csv, our plugin with
    one account of each product, the writers in writers_config) polling it
    every second, until every series the scenario implies is in the CSV
    output and the scenario has played out (its last tasks finish 6 s
    after the start). Returns (simulator, collectd); the caller stops both."""
    sim = Simulator(workdir, scenario=build_scenario())
    blocks = []
    for product, (account, domains) in ACCOUNTS.items():
        listed = [d if types == TYPES else (d, types) for d, types in domains.items()]
        blocks.append(account_block(account, sim, domains=listed,
                                    extra=f'Product "{product}"\nStuckAfter 3600'))
    daemon = Collectd(workdir, "\n".join(blocks), extra_config=writers_config)
    try:
        daemon.start()
        wait_for(lambda: _settled(daemon.values()), timeout=60, interval=0.5,
                 what="the scenario's series in the CSV output")
    except BaseException:
        daemon.stop()
        sim.stop()
        raise
    return sim, daemon
