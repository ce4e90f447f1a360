"""The scenario the dashboard tests run the real collectd on, against the
simulator: one account of each product (DCDN, CDN and ESA) on the same
simulator; for each product every domain and object type has tasks in
every status the product has (ESA has no pending task), tasks in flight
for good, and tasks that complete or fail while collectd watches; ESA's
domains are on two sites, each with an owner domain (its shortest
configured one) that takes its cache tags and its quota: example.net is
the site's own name, img.shop.example.io is not; faults make error codes
(one of them with a dot, which write_graphite escapes); the quota comes
with every kind, and on ESA per site. Also what the dashboards' variables
must list for it, the series it must produce, and the run itself
(simulator, collectd with the writers under test)."""

from accounts import account_block
from harness import Collectd, Simulator, wait_for

DCDN_TYPES = ["file", "directory", "regex", "preload"]
ESA_TYPES = ["file", "directory", "cachetag", "ignore_params", "hostname", "purgeall", "preload"]
# Each product's object types (the plugin's names) and the dashboards'
# object type variable: DCDN's and CDN's, then ESA's own.
TYPES = {"dcdn": DCDN_TYPES, "cdn": DCDN_TYPES, "esa": ESA_TYPES}
OBJECT_TYPES = DCDN_TYPES + [t for t in ESA_TYPES if t not in DCDN_TYPES]
STATUSES = ["Pending", "Refreshing", "Complete", "Failed"]
# Per product: the account and its domains as configured (domain: object
# types), each with a domain of all types and others of two.
ACCOUNTS = {
    "dcdn": ("prod", {"www.example.com": DCDN_TYPES, "img.example.com": ["file", "regex"]}),
    "cdn": ("edge", {"cdn.example.org": DCDN_TYPES, "static.example.com": ["file", "preload"]}),
    "esa": ("shield", {"www.example.net": ESA_TYPES, "example.net": ["file", "cachetag"],
                       "img.shop.example.io": ["file", "hostname"]}),
}
PRODUCTS = list(ACCOUNTS)
# ESA's sites (the simulator's "sites") and each one's owner: its shortest
# configured domain, which alone reports the site's cache tags and sends
# its quota, for each purge type a domain of the site reports (example.net
# its figures given here, the others the simulator's defaults).
SITES = [
    {"id": 1200000000001, "name": "example.net",
     "quota": {"file": {"quota": 5000, "usage": 120}, "cachetag": {"quota": 200, "usage": 7}}},
    {"id": 1200000000002, "name": "shop.example.io"},
]
OWNERS = {"example.net": "example.net", "shop.example.io": "img.shop.example.io"}
# {owner domain: {purge type: (quota, used)}}.
SITE_QUOTA = {
    "example.net": {"file": (5000, 120), "directory": (1000, 0), "cachetag": (200, 7),
                    "ignore_params": (10000, 0), "hostname": (100, 0), "purgeall": (10, 0)},
    "img.shop.example.io": {"file": (10000, 0), "hostname": (100, 0)},
}
# The API's Type of each ESA object type (the plugin's ignore_params).
ESA_API_TYPE = {"ignore_params": "ignoreParams"}
# Each product's tasks of its first domain's files that are Complete: an
# extra one on CDN, and one of each of DCDN and CDN on another product's
# first domain, never counted (each account sees only its product's tasks).
FILES_COMPLETE = {"dcdn-www.example.com": 2, "cdn-cdn.example.org": 3, "esa-www.example.net": 2}
# Cache tags name no host: they count for the site's owner (example.net),
# and www.example.net, which reports every type, sends no cachetag value.
CACHETAGS = {"esa-example.net/count-cachetag-complete": 2,
             "esa-example.net/count-cachetag-failed": 2,
             "esa-example.net/count-cachetag-refreshing": 2,
             "esa-example.net/count-cachetag-pending": 0}
# The action each product lists its tasks with, and the throttling code it answers.
LIST_ACTION = {"dcdn": "DescribeDcdnRefreshTasks", "cdn": "DescribeRefreshTasks",
               "esa": "DescribePurgeTasks"}
THROTTLED = {"dcdn": "Throttling.User", "cdn": "Throttling", "esa": "Throttling.User"}
THROTTLED_HTTP = {"dcdn": 400, "cdn": 503, "esa": 429}
# ESA's budget (80 % of RateLimit a second, a quarter of it for the
# quota): a poll lists 9 (site, type) pairs and asks 8 quotas, every
# second (DCDN's and CDN's default RateLimit 5 fits their few calls).
ESA_RATE_LIMIT = 40
SIMULATOR_RATE_LIMIT = 50


def domain_pairs():
    """{(product, domain)} of every configured domain."""
    return {(product, d) for product, (_, domains) in ACCOUNTS.items() for d in domains}


def roles():
    """What each plugin instance of the scenario is, as the dashboards'
    panels tell them apart: {"domains", "accounts"}, each a set of
    (product, name) (ESA's quota is under its site's owner domain)."""
    return {"domains": domain_pairs(),
            "accounts": {(product, account) for product, (account, _) in ACCOUNTS.items()}}


def _reported(product, domain, typ):
    """Whether the domain reports the type: on ESA only a site's owner
    reports cache tags."""
    return not (product == "esa" and typ == "cachetag" and domain not in OWNERS.values())


def _content(product, domain, typ, n):
    """A task's path: on ESA its Content, by type."""
    if product != "esa":
        return f"http://{domain}/d/{n}"
    return {"directory": f"http://{domain}/d/{n}/", "cachetag": f"tag-{n}",
            "ignore_params": f"http://{domain}/d/{n}.js?v={n}", "hostname": domain,
            "purgeall": domain, "preload": f"http://{domain}/d/{n}.mp4"}.get(
                typ, f"http://{domain}/d/{n}")


def build_scenario():
    tasks, n = [], 5000

    def task(product, domain, typ, created, states):
        nonlocal n
        n += 1
        spec = {"id": str(n), "product": product, "path": _content(product, domain, typ, n),
                "type": ESA_API_TYPE.get(typ, typ) if product == "esa" else typ,
                "created": created, "states": states}
        if product == "esa" and typ == "cachetag":
            spec["site"] = next(site for site, owner in OWNERS.items() if owner == domain)
        tasks.append(spec)

    for product, (_, domains) in ACCOUNTS.items():
        # ESA has no pending task: its tasks wait as Refreshing.
        waiting = "Refreshing" if product == "esa" else "Pending"
        for domain, types in domains.items():
            for typ in types:
                if not _reported(product, domain, typ):
                    continue
                task(product, domain, typ, -900, [{"after": 0, "status": "Complete"}])
                task(product, domain, typ, -800, [{"after": 0, "status": "Failed",
                                                   "description": "OriginTimeout"}])
                task(product, domain, typ, -700, [{"after": 0, "status": waiting,
                                                   "process": "0%"}])
                task(product, domain, typ, -600, [{"after": 0, "status": "Refreshing",
                                                   "process": "40%"}])
                # Seen in flight, then finished, while collectd watches.
                task(product, domain, typ, 3, [{"after": 0, "status": waiting, "process": "0%"},
                                               {"after": 1, "status": "Refreshing",
                                                "process": "60%"},
                                               {"after": 3, "status": "Complete"}])
                task(product, domain, typ, 3, [{"after": 0, "status": "Refreshing",
                                                "process": "30%"},
                                               {"after": 3, "status": "Failed",
                                                "description": "InternalError"}])
    task("cdn", "cdn.example.org", "file", -850, [{"after": 0, "status": "Complete"}])
    # Tasks of domains the product's account did not configure (those of
    # another product's account among them; on ESA, a domain of a
    # configured site): never reported.
    task("dcdn", "other.example.net", "file", -500, [{"after": 0, "status": "Failed"}])
    task("cdn", "www.example.com", "file", -850, [{"after": 0, "status": "Complete"}])
    task("cdn", "img.example.com", "regex", -500, [{"after": 0, "status": "Failed"}])
    task("dcdn", "cdn.example.org", "file", -850, [{"after": 0, "status": "Complete"}])
    task("dcdn", "www.example.net", "file", -850, [{"after": 0, "status": "Complete"}])
    task("cdn", "www.example.net", "file", -850, [{"after": 0, "status": "Complete"}])
    task("esa", "other.example.net", "file", -500, [{"after": 0, "status": "Failed"}])
    task("esa", "shop.example.io", "hostname", -500, [{"after": 0, "status": "Complete"}])
    faults = []
    for product, action in LIST_ACTION.items():
        faults += [{"kind": "status", "http": 503, "code": "ServiceUnavailable",
                    "action": action, "from": 2, "times": 1},
                   {"kind": "status", "http": THROTTLED_HTTP[product],
                    "code": THROTTLED[product], "action": action, "from": 4, "times": 1}]
    return {"sites": SITES, "tasks": tasks, "faults": faults}


def implied_keys():
    """Series keys the scenario must produce (the CSV keys)."""
    keys = set()
    for product, (account, domains) in ACCOUNTS.items():
        for domain, types in domains.items():
            for typ in filter(lambda t: _reported(product, domain, t), types):
                pre = f"{product}-{domain}/"
                keys |= {f"{pre}count-{typ}-{s.lower()}" for s in STATUSES}
                keys |= {f"{pre}duration-{typ}-{ti}"
                         for ti in ("completion_mean", "completion_max", "oldest_in_flight")}
                keys |= {f"{pre}percent-{typ}-progress",
                         f"{pre}total_operations-{typ}-completed",
                         f"{pre}total_operations-{typ}-failed"}
            keys.add(f"{product}-{domain}/duration-staleness")
        keys |= {f"{product}-{account}/errors-ServiceUnavailable",
                 f"{product}-{account}/errors-{THROTTLED[product]}",
                 f"{product}-{account}/total_requests-throttled"}
    # CDN's own quota kind (prefetches to L1 nodes), and ESA's quota per site.
    keys |= {f"cdn-{ACCOUNTS['cdn'][0]}/count-quota-preload_edge",
             f"cdn-{ACCOUNTS['cdn'][0]}/count-remain-preload_edge"}
    return keys | set(expected_site_quota())


def expected_site_quota():
    """{CSV key: value} of ESA's quota per site, under each site's owner."""
    return {f"esa-{owner}/count-{figure}-{typ}": pair[i]
            for owner, quota in SITE_QUOTA.items() for typ, pair in quota.items()
            for i, figure in enumerate(("quota", "used"))}


def expected_variable_values(kind, series, product):
    """What each dashboard's variables must list for this scenario with
    the product variable at product."""
    mangle = (lambda d: d.replace(".", "_")) if kind == "graphite" else (lambda d: d)
    account, domains = ACCOUNTS[product]
    return {"product": PRODUCTS, "host": [series[0].host],
            "domain": sorted(mangle(d) for d in domains), "account": [account],
            "object_type": OBJECT_TYPES, "status": [s.lower() for s in STATUSES]}


def _settled(values):
    return implied_keys() <= set(values) and \
        all(values.get(f"{d}/count-file-complete") == n for d, n in FILES_COMPLETE.items()) and \
        all(values.get(k) == n for k, n in CACHETAGS.items())


def start_run(workdir, writers_config):
    """The simulator playing the scenario and collectd (csv, our plugin with
    one account of each product, the writers in writers_config) polling it
    every second, until every series the scenario implies is in the CSV
    output and the scenario has played out (its last tasks finish 6 s
    after the start). Returns (simulator, collectd); the caller stops both."""
    sim = Simulator(workdir, scenario=build_scenario(), rate_limit=SIMULATOR_RATE_LIMIT)
    blocks = []
    for product, (account, domains) in ACCOUNTS.items():
        listed = [d if types == TYPES[product] else (d, types) for d, types in domains.items()]
        extra = f'Product "{product}"\nStuckAfter 3600'
        if product == "esa":
            extra += f"\nRateLimit {ESA_RATE_LIMIT}"
        blocks.append(account_block(account, sim, domains=listed, extra=extra))
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
