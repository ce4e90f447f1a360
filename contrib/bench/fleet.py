"""The fleet case of planner-bench (--fleet, --quick, --accounts N): many
accounts in ONE collectd against one simulator, each account with its own
AccessKeyId (the simulator shows each key only its own tasks), its own
domains and its own tasks (planner-bench's scenario, once per account), in
account mode. Next to it runs a collectd with the same configuration minus
the plugin.

It prints, per account, the calls per poll against the minimum (the same
rule as planner-bench's account mode) and when its numbers became fresh
after the cold start (the first poll whose dcdn-<account>/duration-staleness
is a number, i.e. every domain of the account read completely); for the
fleet, the time until every account's staleness is a number, the CPU per
poll (collectd with the plugin against collectd without it), and the RSS of
both daemons.

Only the accounts' own series, and those of the first account's domains,
are written (csv), so that the csv writer's cost is not counted as the
plugin's: every other domain series goes through collectd's value cache as
usual and is then dropped (a PostCacheChain rule)."""

import argparse
import calendar
import collections
import json
import math
import statistics
import time

PRESETS = {
    "fleet": {"accounts": 50, "domains": 200, "tasks": 1000, "interval": 60, "intervals": 4,
              "arrivals_per_interval": 10, "in_flight": 4},
    "quick": {"accounts": 10, "domains": 50, "tasks": 500, "interval": 20, "intervals": 3,
              "arrivals_per_interval": 5, "in_flight": 2},
}
ID_SPAN = 100_000_000          # each account's TaskIds: its own range
QUOTA = "DescribeDcdnRefreshQuota"


def preset(args):
    return dict(PRESETS["quick" if args.quick else "fleet"])


def name_of(k):
    return f"fleet{k:02d}"


def key_of(k):
    return f"fleetkey{k:02d}", f"fleetsecret{k:02d}"


def prefix_of(k):
    return f"a{k:02d}site"


# A PostCacheChain: the accounts' series and the first account's domains
# are written; every other domain series passed the cache and stops.
WRITE_FILTER = """\
LoadPlugin match_regex
PostCacheChain "bench"
<Chain "bench">
  <Rule "first_account_domains">
    <Match "regex">
      Plugin "^dcdn$"
      PluginInstance "^a00site"
    </Match>
    Target "write"
    Target "stop"
  </Rule>
  <Rule "other_domains">
    <Match "regex">
      Plugin "^dcdn$"
      PluginInstance "[.]"
    </Match>
    Target "stop"
  </Rule>
  Target "write"
</Chain>
"""


def scenarios(args, pb):
    """Per account: (scenario document, domains); and the simulator's
    scenario, all of them together."""
    per_account = []
    for k in range(args.accounts):
        own = argparse.Namespace(**vars(args))
        own.seed = args.seed * 1000 + k
        per_account.append(pb.build_scenario(own, prefix_of(k), key_of(k)[0], k * ID_SPAN))
    merged = {"comment": f"planner-bench --fleet: {args.accounts} accounts",
              "generate": [g for doc, _ in per_account for g in doc["generate"]],
              "tasks": [t for doc, _ in per_account for t in doc["tasks"]]}
    return per_account, merged


def run(args, pb):
    top = pb.pathlib.Path(args.workdir) if args.workdir else \
        pb.pathlib.Path(pb.tempfile.mkdtemp(prefix="planner-bench-fleet-"))
    workdir = top / "fleet"
    workdir.mkdir(parents=True, exist_ok=True)
    if not (pb.PLUGIN_DIR / "dcdn.so").exists():
        raise SystemExit(f"planner-bench: {pb.PLUGIN_DIR}/dcdn.so is missing: run contrib/build first")
    began = time.time()
    per_account, merged = scenarios(args, pb)
    scenario_path = workdir / "scenario.json"
    scenario_path.write_text(json.dumps(merged))
    print(f"planner-bench fleet case: {args.accounts} accounts x {args.domains} domains"
          f" ({args.accounts * args.domains} domains), per account {args.tasks} tasks in the window"
          f" and {args.arrivals_per_interval} new per interval, account mode, Interval"
          f" {args.interval}, RateLimit {args.rate_limit}, ReadThreads"
          f" {args.read_threads or '5 (collectd default)'}"
          + (f", Report {' '.join(args.report)}" if args.report else "")
          + f"; runs in {top}")
    sim, sim_log, record, url, epoch = pb.start_simulator(
        workdir, scenario_path, args.rate_limit, [key_of(k) for k in range(args.accounts)])
    accounts = []
    for k, (_, domains) in enumerate(per_account):
        key, secret = key_of(k)
        accounts += pb.account_lines(url, args, "account", domains, workdir / "with-plugin" / "state",
                                     name_of(k), key, secret)
    # collectd's own figures (its write queue, its value cache): what the
    # daemon's memory holds besides the plugin.
    extra = "CollectInternalStats true\n" + WRITE_FILTER + \
        (f"ReadThreads {args.read_threads}\n" if args.read_threads else "")
    with_plugin = pb.Daemon(workdir / "with-plugin", pb.collectd_config(
        workdir / "with-plugin", args.interval, pb.plugin_block(url, args, "account", [], None, accounts),
        extra))
    without = pb.Daemon(workdir / "without-plugin",
                        pb.collectd_config(workdir / "without-plugin", args.interval, "", extra))
    daemons = {"with": with_plugin, "without": without}
    for d in daemons.values():
        d.config.chmod(0o600)        # it holds the secrets: the plugin warns otherwise
    sampler = pb.Sampler(daemons)
    try:
        without.start()
        with_plugin.start()
        sampler.sample_now()
        sampler.start()
        deadline = time.time() + (args.intervals + 3) * args.interval + 120
        while time.time() < deadline and with_plugin.proc.poll() is None:
            polled = [len(pb.csv_rows(with_plugin.csv, f"dcdn-{name_of(k)}", "total_requests-calls"))
                      for k in range(args.accounts)]
            if min(polled) >= args.intervals:
                break
            time.sleep(2.0)
        time.sleep(1.0)          # the writers finish the last poll's values
        sampler.sample_now()
    finally:
        sampler.stopping.set()
        for d in daemons.values():
            if d.proc is not None:
                pb.stop_pid(d.proc)
        pb.stop_pid(sim)
        sim.stdout.close()
        sim_log.close()
    records = [json.loads(line) for line in record.read_text().splitlines() if line]
    res = analyse(args, pb, per_account, records, with_plugin, sampler, epoch)
    (workdir / "bench.json").write_text(json.dumps(
        {"args": vars(args), "epoch": epoch, "samples": sampler.samples,
         "started": with_plugin.started, **res}, indent=1, default=str))
    report(args, res, time.time() - began)
    return 0


def reanalyse(args, pb):
    """Reports on a kept run (--reanalyse DIR, with the options it ran with)."""
    workdir = pb.pathlib.Path(args.reanalyse) / "fleet"
    stored = json.loads((workdir / "bench.json").read_text())
    per_account, _ = scenarios(args, pb)
    daemon = pb.Daemon.__new__(pb.Daemon)
    daemon.workdir = workdir / "with-plugin"
    daemon.log = daemon.workdir / "collectd.log"
    daemon.csv = daemon.workdir / "csv"
    daemon.started = stored["started"]
    records = [json.loads(line) for line in (workdir / "sim-record.jsonl").read_text().splitlines() if line]
    res = analyse(args, pb, per_account, records, daemon, pb.StoredSampler(stored["samples"]),
                  stored["epoch"])
    report(args, res, 0)
    return 0


# ---------------------------------------------------------------------------
# Analysis
# ---------------------------------------------------------------------------

def api_epoch(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def bursts(records, gap):
    """One account's calls split into polls, found in the calls themselves
    (whenever and from whichever thread the plugin dispatches the values):
    a poll ends with its quota call (CollectQuota, on by default), and
    without one, its calls come in one burst (RateLimit spaces them by a
    fraction of a second, retries by a few seconds) while polls are an
    interval apart, of which a poll spends at most 80 %. Polls that waited
    for a read thread can come seconds apart: the quota call tells them
    apart."""
    polls = []
    for r in sorted(records, key=lambda r: r["t"]):
        if not polls or r["t"] - polls[-1][-1]["t"] > gap or polls[-1][-1]["action"] == QUOTA:
            polls.append([])
        polls[-1].append(r)
    return polls


def account_polls(model, records, budget, args, pb):
    """Each poll of one account: its calls by action and the minimum for
    that poll (cold: the cold window's remaining pages, capped by the
    budget; steady: planner-bench's in_flight_minimum)."""
    polls = bursts(records, 0.1 * args.interval)

    # A window is known by its end: its start slides with the clock while
    # its pages are read (the Lookback's edge moves), by a second or so.
    starts = {}

    def window_of(r):
        p = r["params"]
        starts.setdefault(p["EndTime"], p["StartTime"])
        return (starts[p["EndTime"]], p["EndTime"])

    def due_pages(w):
        return max(1, pb.pages(model.count(api_epoch(w[0]), api_epoch(w[1]))))

    fetched = collections.defaultdict(set)
    covered = cold_pages = prev_now = None
    rows = []
    for calls in polls:
        lists = [r for r in calls if r["action"] == pb.LIST]
        ok_lists = [r for r in lists if r["status"] == 200]
        first_pages = [window_of(r) for r in ok_lists if r["params"].get("PageNumber") == "1"]
        now = api_epoch(first_pages[0][1]) if first_pages else int(calls[0]["t"])
        if cold_pages is None and first_pages:
            cold_pages = due_pages(first_pages[0])
        before, fetched_before = covered, sum(len(v) for v in fetched.values())
        for r in ok_lists:
            w = window_of(r)
            fetched[w].add(int(r["params"]["PageNumber"]))
            if len(fetched[w]) >= due_pages(w):
                covered = max(covered or 0, api_epoch(w[1]))
        by_id = sum(r["action"] == pb.BY_ID for r in calls)
        if before is None:
            minimum = min(budget, max(0, (cold_pages or 0) - fetched_before))
        else:
            minimum = pb.in_flight_minimum(model, before + 1, now, before, prev_now or now)[0]
        rows.append({"calls": len(calls), "list": len(lists), "byid": by_id, "min": minimum,
                     "cold": before is None, "excess": len(lists) + by_id - minimum,
                     "held": calls[-1]["t"] - calls[0]["t"],
                     "throttled": sum(r["code"] in pb.THROTTLED for r in calls)})
        prev_now = now
    return rows


def first_number(rows):
    for t, v in rows:
        if not math.isnan(v):
            return t
    return None


def analyse(args, pb, per_account, records, daemon, sampler, epoch):
    budget = max(1, math.floor(0.8 * args.rate_limit * args.interval))
    by_key = collections.defaultdict(list)
    for r in records:
        by_key[r["key"]].append(r)
    started = daemon.started
    out = []
    for k, (doc, _) in enumerate(per_account):
        name, (key, _) = name_of(k), key_of(k)
        series = f"dcdn-{name}"
        ends = [t for t, _ in pb.csv_rows(daemon.csv, series, "total_requests-calls")]
        model = pb.Model(doc, epoch)
        polls = account_polls(model, by_key[key], budget, args, pb)
        fresh = first_number(pb.csv_rows(daemon.csv, series, "duration-staleness"))
        tracked = pb.csv_rows(daemon.csv, series, "count-tracked_tasks")
        tbytes = pb.csv_rows(daemon.csv, series, "memory-tracked_tasks")
        reads = [v for _, v in pb.csv_rows(daemon.csv, series, "duration-read_callback")
                 if not math.isnan(v)]
        out.append({"name": name, "polls": polls, "dispatches": ends,
                    "first_dispatch": ends[0] - started if ends else None,
                    "fresh": fresh - started if fresh is not None else None,
                    "tracked": tracked[-1][1] if tracked else 0,
                    "tracked_bytes": tbytes[-1][1] if tbytes else 0,
                    "read_callback": reads,
                    "max1s": pb.max_calls_in_window([r["t"] for r in by_key[key]]),
                    "errors": dict(collections.Counter(r["code"] for r in by_key[key]
                                                       if r["code"] and r["code"] not in pb.THROTTLED))})
    # CPU per interval since the start, and RSS at the end.
    w, o = sampler.samples["with"], sampler.samples["without"]
    intervals = []
    for i in range(args.intervals + 2):
        a, b = started + i * args.interval, started + (i + 1) * args.interval
        if b > w[-1][0] + 1:
            break
        cpu_w = sampler.at("with", b)[1] - sampler.at("with", a)[1]
        cpu_o = sampler.at("without", b)[1] - sampler.at("without", a)[1]
        groups = {g: sampler.at("with", b)[3].get(g, 0) - sampler.at("with", a)[3].get(g, 0)
                  for g in sampler.at("with", b)[3]}
        intervals.append({"cpu_with": cpu_w, "cpu_without": cpu_o, "groups": groups})
    # The cold start (until every account's first poll dispatched), then
    # the steady polls: CPU over collectd without the plugin, per poll.
    dispatches = sorted(t for a in out for t in a["dispatches"])
    cold_end = max((a["first_dispatch"] or 0) for a in out) + started + 1.0
    phases = []
    for label, a, b in (("cold start", started, cold_end), ("after it", cold_end, w[-1][0])):
        extra = (sampler.at("with", b)[1] - sampler.at("with", a)[1]) - \
                (sampler.at("without", b)[1] - sampler.at("without", a)[1])
        n = sum(a < t <= b for t in dispatches)
        phases.append({"label": label, "seconds": b - a, "cpu": extra, "polls": n})
    written = pb.csv_series(daemon.csv, "dcdn-a00site")
    queue = [v for _, v in pb.csv_rows(daemon.csv, "collectd-write_queue", "queue_length")]
    cache = [v for _, v in pb.csv_rows(daemon.csv, "collectd-cache", "cache_size")]
    log = daemon.log_text().splitlines()
    return {"budget": budget, "accounts": out, "intervals": intervals, "phases": phases,
            "rss_with": w[-1][2], "rss_without": o[-1][2],
            "rss_peak_with": max(r[2] for r in w), "first_account_series": len(written),
            "queue_max": max(queue) if queue else None, "cache_max": max(cache) if cache else None,
            "read_late_warnings": sum("above its read interval" in line for line in log),
            "log_errors": [line for line in log if ("[error]" in line or "[warning]" in line)
                           and "is plain http" not in line][:5],
            "throttled": sum(r["code"] in pb.THROTTLED for r in records),
            "duration": w[-1][0] - w[0][0]}


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def fmt_s(v):
    return "never" if v is None else f"{v:.0f}"


def report(args, res, wall):
    accounts = res["accounts"]
    print(f"\n=== fleet: {len(accounts)} accounts, budget {res['budget']} calls/interval each"
          f" (c: a cold poll)")
    print(" account  polls calls list+byid  min excess other thr max1s first_dispatch_s fresh_s"
          "  tracked  per poll: list+byid(min) [first call to last, s]")
    for a in accounts:
        p = a["polls"]
        calls, mins = sum(r["calls"] for r in p), sum(r["min"] for r in p)
        lb = sum(r["list"] + r["byid"] for r in p)
        cells = " ".join(f"{r['list'] + r['byid']}({r['min']}){'c' if r['cold'] else ''}" for r in p)
        held = " ".join(f"{r['held']:.0f}" for r in p)
        print(f" {a['name']} {len(p):5d} {calls:5d} {lb:9d} {mins:4d} {lb - mins:+6d} {calls - lb:5d}"
              f" {sum(r['throttled'] for r in p):3d} {a['max1s']:5d} {fmt_s(a['first_dispatch']):>16}"
              f" {fmt_s(a['fresh']):>7} {a['tracked']:8.0f}  {cells}  [{held}]")
    print("  min: cold polls: the cold window's remaining pages, capped by the budget; steady polls:"
          " planner-bench's account-mode minimum (pages for the new tasks + the cheaper way to"
          " refresh the older tasks in flight). excess = list + ById calls - min; other: the"
          " quota calls. fresh_s: seconds from collectd's start to the account's first"
          " duration-staleness that is a number (every domain read completely)")
    polls = [r for a in accounts for r in a["polls"]]
    steady = [r for r in polls if not r["cold"]]
    cold = [r for r in polls if r["cold"]]
    print(f"  list + ById calls: {sum(r['list'] + r['byid'] for r in polls)} in all against a minimum of"
          f" {sum(r['min'] for r in polls)}; cold polls {sum(r['list'] + r['byid'] for r in cold)} (min"
          f" {sum(r['min'] for r in cold)}), steady polls {sum(r['list'] + r['byid'] for r in steady)} (min"
          f" {sum(r['min'] for r in steady)}); steady polls more than one over the minimum:"
          f" {sum(r['excess'] > 1 for r in steady)} of {len(steady)}")
    errors = collections.Counter()
    for a in accounts:
        errors.update(a["errors"])
    print(f"  most calls of one key in any 1 s window: {max(a['max1s'] for a in accounts)}"
          f" (RateLimit {args.rate_limit}); throttled answers: {res['throttled']}"
          + (f"; API errors: {dict(errors)}" if errors else ""))
    held = [r["held"] for r in polls if r["calls"]]
    if held:
        print(f"  a poll lasts (its first call to its last): median"
              f" {statistics.median(held):.1f} s, max {max(held):.1f} s; cold polls median"
              f" {statistics.median([r['held'] for r in cold if r['calls']] or [0]):.1f} s")
    fresh = [a["fresh"] for a in accounts]
    known = sorted(v for v in fresh if v is not None)
    if len(known) == len(fresh):
        print(f"  time to fresh numbers after a cold start (every account's staleness a number):"
              f" {known[-1]:.0f} s = {known[-1] / args.interval:.1f} intervals after collectd's start"
              f" (median account {statistics.median(known):.0f} s, first {known[0]:.0f} s)")
    else:
        print(f"  time to fresh numbers: {len(fresh) - len(known)} of {len(fresh)} accounts never"
              f" had a staleness number in the run")
    firsts = sorted(a["first_dispatch"] for a in accounts if a["first_dispatch"] is not None)
    if firsts:
        print(f"  first dispatch of an account after the start: first {firsts[0]:.0f} s, median"
              f" {statistics.median(firsts):.0f} s, last {firsts[-1]:.0f} s")
    print(f"  collectd warnings that a read took longer than its interval: {res['read_late_warnings']}")
    reads = sorted(v for a in accounts for v in a["read_callback"])
    if reads:
        print(f"  the read callback (duration-read_callback, {len(reads)} values, each sending one"
              f" poll of {args.domains} domains): min {reads[0] * 1000:.1f} ms, median"
              f" {reads[len(reads) // 2] * 1000:.1f} ms, max {reads[-1] * 1000:.1f} ms")
    for i, iv in enumerate(res["intervals"]):
        extra = iv["cpu_with"] - iv["cpu_without"]
        groups = ", ".join(f"{g} {v:.2f}" for g, v in sorted(iv["groups"].items()))
        print(f"  CPU interval {i + 1}: with the plugin {iv['cpu_with']:.2f} s, without"
              f" {iv['cpu_without']:.2f} s: {extra * 1000:.0f} ms per interval ="
              f" {extra * 1000 / len(accounts):.1f} ms per account poll (threads: {groups})")
    for ph in res["phases"]:
        if ph["polls"]:
            print(f"  CPU {ph['label']} ({ph['seconds']:.0f} s, {ph['polls']} polls dispatched):"
                  f" {ph['cpu']:.2f} s over collectd without the plugin ="
                  f" {ph['cpu'] * 1000 / ph['polls']:.1f} ms per account poll")
    tracked = sum(a["tracked"] for a in accounts)
    tbytes = sum(a["tracked_bytes"] for a in accounts)
    delta = (res["rss_with"] - res["rss_without"]) * 1024
    series = res["first_account_series"] * len(accounts)
    print(f"  memory: VmRSS with the plugin {res['rss_with'] / 1024:.1f} MiB (peak"
          f" {res['rss_peak_with'] / 1024:.1f} MiB), without {res['rss_without'] / 1024:.1f} MiB,"
          f" delta {delta / 1048576:.1f} MiB; {tracked:.0f} tasks tracked in {tbytes / 1048576:.2f} MiB"
          f" of task tables ({tbytes / tracked if tracked else 0:.1f} B per task); the first account"
          f" dispatches {res['first_account_series']} domain series, so about {series} in all:"
          f" {(delta - tbytes) / series if series else 0:.0f} B of RSS per series besides the tables")
    if res["log_errors"]:
        print("  collectd log (first warnings/errors):")
        for line in res["log_errors"]:
            print("    " + line)
    if res.get("queue_max") is not None:
        print(f"  collectd's own (CollectInternalStats): write queue at most {res['queue_max']:.0f}"
              f" values (as sampled each interval), value cache at most {res['cache_max']:.0f} series")
    print(f"  run: {res['duration']:.0f} s of daemons" + (f", {wall:.0f} s in all" if wall else ""))
