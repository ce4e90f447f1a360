"""dcdn_simulator: a local stand-in for Alibaba Cloud DCDN's RPC API (2018-01-15),
and on the same port for CDN's (2018-05-10) and ESA's (2024-09-10), chosen by
the Version a request names.

It answers DescribeDcdnRefreshTasks, DescribeDcdnRefreshTaskById and
DescribeDcdnRefreshQuota over HTTP(S) (and, as a sandbox for purges,
RefreshDcdnObjectCaches and PreloadDcdnObjectCaches, whose tasks play out
and draw on a daily quota), checks V1 (HMAC-SHA1) and V3
(ACS3-HMAC-SHA256) signatures, timestamps, nonces and STS tokens the way the
service does, enforces a per-key call rate and per-key RAM (domain grants,
actions refused outright, RAM policy documents), and serves tasks from a
scenario whose tasks change state on the simulator's clock (the real one, or
offset and stepped by --clock-offset and the scenario's "clock").  Faults
(error answers, broken bodies, delays, connection resets) can be injected by
time window.  With --ram-role it also plays an ECS instance's
metadata service (/latest/...), handing out rotating STS credentials that the
API then accepts until they expire; with --role it plays STS AssumeRole
(2015-04-01) for those roles, whose credentials the API accepts as well.

Python 3 standard library only.  Run it as contrib/dcdn-simulator (a
launcher) or python3 -m dcdn_simulator; see the README, section "The DCDN
simulator".  One module per concern, each importing only those above it:

  signing     percent-encoding, V1 and V3 signatures (pure functions)
  clock       API times and the simulator's clock
  errors      error codes, messages, ApiError, the error body
  validation  ScenarioError and the checks every scenario loader uses
  ram         domain grants, denied actions, RAM policy documents
  request     ApiRequest (one request, unchecked) and Reply
  faults      injected faults: loading, drawing, the faulty reply
  sites       ESA's sites: loading, a task's site, the site answer
  scenario    tasks (of each product), generators, quota, clock steps; the built-in scenario
  auth        credentials, the gateway's signature/STS/nonce checks, rate limit
  sandbox     the submitting actions' rules, their tasks, the daily quota
  actions     the DCDN actions and their parameter rules; CDN's, the same with CDN's data
  esa         the ESA actions (2024-09-10)
  products    the table of products (DCDN, CDN, ESA) by API version
  metadata    the ECS metadata service (--ram-role)
  sts         STS AssumeRole (--role)
  simulator   one request in, one reply out; the record file
  server      the HTTP(S) server
  cli         the command line and main()
  client      one signed call (python3 -m dcdn_simulator.client)
"""
