"""Report chooses the families a domain sends, per account and per
<Domain>, in the real collectd: exactly the documented series, and the
account's own values whatever Report says."""

from harness import wait_for


def task(i, domain, status):
    """In flight at 40 % from before the start; final 4 s into the run."""
    states = [{"after": 0, "status": "Refreshing", "process": "40%"}]
    if status != "Refreshing":
        states.append({"after": 64, "status": status})
    return {"id": str(7000 + i), "path": f"http://{domain}/{i}", "type": "file",
            "created": -60, "states": states}


def families(values, domain):
    return {s.split("/", 1)[1] for s in values if s.startswith(f"dcdn-{domain}/")}


def test_report_per_account_and_per_domain_sends_exactly_its_families(
        start_simulator, start_collectd):
    domains = ["a.example.com", "b.example.com", "c.example.com", "d.example.com"]
    tasks = [task(10 * k + j, d, status) for k, d in enumerate(domains)
             for j, status in enumerate(["Complete", "Failed", "Refreshing"])]
    sim = start_simulator(scenario={"tasks": tasks})
    block = f"""<Account "acct">
  Endpoint "{sim.url}"
  StateDir "{sim.workdir}/state"
  AccessKeyId "testid"
  AccessKeySecret "testsecret"
  CollectQuota false
  Report "counts" "staleness"
  Domain "a.example.com"
  <Domain "b.example.com">
    Report "rates" "durations"
  </Domain>
  <Domain "c.example.com">
    Report "none"
  </Domain>
  <Domain "d.example.com">
    Report "progress"
  </Domain>
</Account>"""
    daemon = start_collectd(block)
    # Every family with a figure has had one: the completions came in a poll.
    wait_for(lambda: any(s.endswith("completion_max") for s in families(daemon.values(),
                                                                         "b.example.com")),
             timeout=30, what="b's completion durations")
    values = daemon.values()
    types = ["file", "directory", "regex", "preload"]
    statuses = ["pending", "refreshing", "complete", "failed"]
    counts = {f"count-{t}-{s}" for t in types for s in statuses}
    rates = {f"total_operations-{t}-{o}" for t in types for o in ("completed", "failed")}
    assert families(values, "a.example.com") == counts | {"duration-staleness"}
    assert len(counts) == 16 and len(rates) == 8  # the README's series per family
    b = families(values, "b.example.com")
    assert rates <= b
    assert {f"duration-{t}-oldest_in_flight" for t in types} <= b
    assert b - rates - {f"duration-{t}-oldest_in_flight" for t in types} <= \
        {f"duration-{t}-completion_{m}" for t in types for m in ("mean", "max")}
    assert "duration-file-completion_max" in b
    assert families(values, "c.example.com") == set()
    assert families(values, "d.example.com") == {"percent-file-progress"}
    assert values["dcdn-d.example.com/percent-file-progress"] == 40.0
    # The account's own values do not depend on Report.
    own = families(values, "acct")
    assert {"total_requests-calls", "duration-staleness", "count-tracked_tasks",
            "memory-tracked_tasks", "duration-read_callback"} <= own
