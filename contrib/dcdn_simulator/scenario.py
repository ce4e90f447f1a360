"""The scenario: tasks with state timelines (listed or generated), the
quota, faults, RAM entries and clock steps, loaded from JSON and validated
member by member; and the built-in scenario used without --scenario."""

import dataclasses
import json
import math
import random
import re
import threading
import time
import typing
import urllib.parse

from .clock import format_api_time
from .faults import Fault, load_fault
from .ram import DOMAIN_PATTERN, Statement, load_ram
from .sites import PURGE_TYPES, Site, load_sites, site_for
from .validation import ScenarioError, known_members, number, optional_str, require


PRODUCTS = ("dcdn", "cdn", "esa")
TASK_TYPES = ("file", "directory", "regex", "preload")
ESA_TYPES = PURGE_TYPES + ("preload",)      # ESA's purge types, and its prefetches
TYPES = {"dcdn": TASK_TYPES, "cdn": TASK_TYPES, "esa": ESA_TYPES}
RESPONSE_TYPE = {"directory": "path"}   # DCDN reports directory tasks as "path" (CDN: "directory")
ESA_PRELOAD_TIME = "%Y-%m-%d %H:%M:%S"  # DescribePreloadTasks' CreateTime (UTC here: unverified)
TASK_STATUSES = ("Pending", "Refreshing", "Complete", "Failed")
DEFAULT_PROCESS = {"Pending": "0%", "Refreshing": "50%", "Complete": "100%", "Failed": "0%"}
DEFAULT_FAILURE = "InternalError"
DEFAULT_QUOTA = {
    "UrlQuota": "10000", "UrlRemain": "10000",
    "DirQuota": "100", "DirRemain": "100",
    "PreloadQuota": "1000", "PreloadRemain": "1000",
    "BlockQuota": "100", "BlockRemain": "100",
    "RegexQuota": "20", "RegexRemain": "20",
    "IgnoreParamsQuota": "10", "IgnoreParamsRemain": "10",
}
DEFAULT_CDN_QUOTA = {**DEFAULT_QUOTA, "PreloadEdgeQuota": "500", "PreloadEdgeRemain": "500"}


@dataclasses.dataclass(frozen=True)
class TaskState:
    after: int          # seconds since the task's creation
    status: str
    process: str
    description: str


@dataclasses.dataclass(frozen=True)
class Task:
    task_id: str
    path: str
    type: str
    created_at: int     # epoch seconds
    key: typing.Optional[str]
    states: typing.Tuple[TaskState, ...]
    # More domain names whose DomainName query lists the task too (a
    # wildcard accelerated domain's tasks under the wildcard's name).
    listed_under: typing.Tuple[str, ...] = ()
    # Answer fields sent instead of (or besides) the task's own, as given.
    raw: typing.Tuple[typing.Tuple[str, typing.Any], ...] = ()
    product: str = "dcdn"
    site: typing.Optional[int] = None   # ESA: the SiteId

    @property
    def domain(self) -> str:
        """The host the path (ESA: the content, which may be a bare host
        name) names; "" for a cache tag or none."""
        if self.type == "cachetag":
            return ""
        url = self.path if "://" in self.path or self.product != "esa" else "http://" + self.path
        try:
            return (urllib.parse.urlsplit(url).hostname or "").lower()
        except ValueError:
            return ""

    def listed_for(self, domains: typing.Collection[str]) -> bool:
        """Its host or one of its listed_under names is among `domains`."""
        return self.domain in domains or any(n in domains for n in self.listed_under)

    def visible(self, key_id: str, now: float) -> bool:
        return self.created_at <= now and (self.key is None or self.key == key_id)

    def state_at(self, now: float) -> TaskState:
        elapsed = now - self.created_at
        current = self.states[0]
        for state in self.states:
            if state.after <= elapsed:
                current = state
        return current

    def sort_key(self):
        """Newest first when sorted in reverse; ties by numeric TaskId."""
        return (self.created_at, int(self.task_id))

    def to_api(self, now: float) -> dict:
        state = self.state_at(now)
        if self.product == "esa":
            return self._to_esa_api(state)
        return {
            "Status": state.status,
            "CreationTime": format_api_time(self.created_at),
            "ObjectType": RESPONSE_TYPE.get(self.type, self.type) if self.product == "dcdn" else self.type,
            "Process": state.process,
            "Description": state.description,
            "ObjectPath": self.path,
            "TaskId": self.task_id,
            **dict(self.raw),
        }

    def _to_esa_api(self, state: TaskState) -> dict:
        """DescribePurgeTasks' task (all strings), or DescribePreloadTasks'
        (no Type, CreateTime as 2023-03-28 14:28:57)."""
        answer = {"TaskId": self.task_id, "Content": self.path, "Type": self.type,
                  "Status": state.status, "Process": state.process,
                  "CreateTime": format_api_time(self.created_at), "Description": state.description}
        if self.type == "preload":
            del answer["Type"]
            answer["CreateTime"] = time.strftime(ESA_PRELOAD_TIME, time.gmtime(self.created_at))
        return {**answer, **dict(self.raw)}


# How a task created by RefreshDcdnObjectCaches or PreloadDcdnObjectCaches
# goes on, by type: the service's 5-6 minutes for a refresh and 5-30 for a
# prefetch, compressed to seconds so that a sandbox run shows them end.
SUBMITTED_STATES = {
    "file": ((0, "Pending", "0%"), (2, "Refreshing", "30%"), (5, "Refreshing", "80%"),
             (8, "Complete", "100%")),
    "directory": ((0, "Pending", "0%"), (3, "Refreshing", "20%"), (8, "Refreshing", "60%"),
                  (15, "Complete", "100%")),
    "regex": ((0, "Pending", "0%"), (3, "Refreshing", "20%"), (8, "Refreshing", "60%"),
              (15, "Complete", "100%")),
    "preload": ((0, "Pending", "0%"), (5, "Refreshing", "10%"), (12, "Refreshing", "45%"),
                (20, "Refreshing", "85%"), (30, "Complete", "100%")),
}
# ESA's other purge types play out as these do (unless "submissions" says).
SUBMITTED_AS = {"cachetag": "file", "ignoreParams": "file", "hostname": "directory", "purgeall": "directory"}
SUBMITTED_ID_FLOOR = 17000000000    # new TaskIds look like the service's (11 digits)


@dataclasses.dataclass
class Submissions:
    """The sandbox: how submitted tasks play out (states by type, and rules
    by path that come first), and what the submissions so far have drawn
    on each day's quota.  Shared by the handler threads: change it only
    under `lock`."""
    states: typing.Dict[str, typing.Tuple[TaskState, ...]]
    rules: typing.Tuple[typing.Tuple[typing.Pattern, typing.Tuple[TaskState, ...]], ...] = ()
    next_id: int = SUBMITTED_ID_FLOOR + 1
    # (day, product, quota kind) -> what submissions drew on it
    used: typing.Dict[typing.Tuple[int, str, str], int] = dataclasses.field(default_factory=dict)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def states_for(self, task_type: str, path: str) -> typing.Tuple[TaskState, ...]:
        for pattern, states in self.rules:
            if pattern.search(path):
                return states
        return self.states.get(task_type) or self.states[SUBMITTED_AS[task_type]]


def default_submissions() -> Submissions:
    return Submissions({t: tuple(TaskState(a, st, p, "") for a, st, p in states)
                        for t, states in SUBMITTED_STATES.items()})


@dataclasses.dataclass
class Scenario:
    tasks: typing.List[Task]
    quota: typing.Dict[str, str]
    faults: typing.List[Fault]
    # AccessKeyId -> the only domains it is granted (a RAM policy); keys not
    # listed may operate on every domain.
    ram: typing.Dict[str, typing.FrozenSet[str]] = dataclasses.field(default_factory=dict)
    ram_deny: typing.Dict[str, typing.FrozenSet[str]] = dataclasses.field(default_factory=dict)
    ram_policies: typing.Dict[str, typing.Tuple["Statement", ...]] = dataclasses.field(default_factory=dict)
    clock: typing.Tuple[typing.Tuple[float, float], ...] = ()   # Clock.steps
    submissions: Submissions = dataclasses.field(default_factory=default_submissions)
    cdn_quota: typing.Dict[str, str] = dataclasses.field(default_factory=lambda: dict(DEFAULT_CDN_QUOTA))
    sites: typing.List[Site] = dataclasses.field(default_factory=list)     # ESA's

    def quota_of(self, product: str) -> typing.Dict[str, str]:
        """DescribeDcdnRefreshQuota's or DescribeRefreshQuota's members."""
        return self.cdn_quota if product == "cdn" else self.quota

    def site(self, site_id: int) -> typing.Optional[Site]:
        return next((s for s in self.sites if s.site_id == site_id), None)


def load_states(raw, where: str) -> typing.Tuple[TaskState, ...]:
    if raw is None:
        return (TaskState(0, "Complete", "100%", ""),)
    require(isinstance(raw, list) and raw, where, '"states" must be a non-empty list')
    states, previous = [], None
    for i, item in enumerate(raw):
        here = f"{where}.states[{i}]"
        require(isinstance(item, dict), here, "must be an object")
        known_members(item, ("after", "status", "process", "description"), here)
        after = number(item.get("after", 0), here, "after", integer=True)
        status = item.get("status")
        require(status in TASK_STATUSES, here, f'"status" must be one of {", ".join(TASK_STATUSES)}')
        require(previous is not None or after == 0, here, 'the first state must have "after": 0')
        require(previous is None or after >= previous, here, '"after" must not decrease')
        process = item.get("process", DEFAULT_PROCESS[status])
        require(isinstance(process, str), here, '"process" must be a string')
        default_description = DEFAULT_FAILURE if status == "Failed" else ""
        description = item.get("description", default_description)
        require(isinstance(description, str), here, '"description" must be a string')
        states.append(TaskState(after, status, process, description))
        previous = after
    return tuple(states)


def load_product(spec: dict, where: str) -> typing.Tuple[str, typing.Tuple[str, ...]]:
    """A task's (or generator's) "product" and the types it may have."""
    product = spec.get("product", "dcdn")
    require(product in PRODUCTS, where, f'"product" must be one of {", ".join(PRODUCTS)}')
    require(product == "esa" or "site" not in spec, where, '"site" is for ESA tasks ("product": "esa")')
    return product, TYPES[product]


def task_site(product: str, spec: dict, host: str, where: str, sites) -> typing.Optional[int]:
    return site_for(sites, spec.get("site"), host, where).site_id if product == "esa" else None


def load_task(spec, where: str, epoch: int, sites: typing.Sequence[Site] = ()) -> Task:
    require(isinstance(spec, dict), where, "must be an object")
    known_members(spec, ("id", "path", "type", "created", "key", "states", "listed_under", "raw",
                         "product", "site"), where)
    product, types = load_product(spec, where)
    task_id = spec.get("id")
    require(isinstance(task_id, str) and task_id.isdigit(), where, '"id" must be a string of digits')
    path = spec.get("path")
    require(isinstance(path, str) and path, where, '"path" must be a non-empty string')
    task_type = spec.get("type", "file")
    require(task_type in types, where, f'"type" must be one of {", ".join(types)}')
    created = number(spec.get("created", 0), where, "created", integer=True)
    task = Task(task_id, path, task_type, epoch + created, optional_str(spec, "key", where),
                load_states(spec.get("states"), where), *load_task_extras(spec, where), product=product)
    return dataclasses.replace(task, site=task_site(product, spec, task.domain, where, sites))


# A listed_under name: a host name, or a wildcard one (*.example.com).
LISTED_NAME_PATTERN = re.compile(r"(?:\*\.)?" + DOMAIN_PATTERN.pattern)


def load_task_extras(spec: dict, where: str):
    """A task's (or generator's) "listed_under" and "raw", as Task fields."""
    names = spec.get("listed_under", [])
    require(isinstance(names, list) and all(isinstance(n, str) and LISTED_NAME_PATTERN.fullmatch(n.lower())
                                             for n in names),
             where, '"listed_under" must be a list of domain names')
    raw = spec.get("raw", {})
    require(isinstance(raw, dict), where, '"raw" must be an object of answer fields')
    return tuple(dict.fromkeys(n.lower() for n in names)), tuple(raw.items())


# The paths generated tasks get, by type; {seed} varies with "seed" only.
GENERATED_PATHS = {
    "file": "http://{domain}/gen/{word}/{id}.html",
    "directory": "http://{domain}/gen/{word}/{id}/",
    "regex": "http://{domain}/gen/{word}/{id}/.*\\.jpg",
    "preload": "http://{domain}/gen/{word}/{id}.mp4",
    # ESA's contents for its other purge types (what purgeall's holds: unverified).
    "cachetag": "tag-{word}-{id}",
    "ignoreParams": "http://{domain}/gen/{word}/{id}.html",
    "hostname": "{domain}",
    "purgeall": "{domain}",
}
PATH_WORDS = ("alpha", "bravo", "delta", "kilo", "lima", "oscar", "sierra", "tango")


def generate_tasks(spec, where: str, epoch: int, sites: typing.Sequence[Site] = ()) -> typing.List[Task]:
    """Task i (0-based) of a generator gets:
      id      = id_start + i
      domain  = domains[i % len(domains)]
      type    = types[(i // len(domains)) % len(types)]   (every domain sees every type)
      status  = statuses[i % len(statuses)]                ("status": a string or a list)
      created = created_from + floor(i * (created_to - created_from) / (count - 1))
    The seed only picks the word in each path, so counts never depend on it.
    ESA tasks ("product": "esa") belong to "site", else to their domain's site."""
    require(isinstance(spec, dict), where, "must be an object")
    known_members(spec, ("count", "domains", "types", "status", "states", "description", "created_from",
                          "created_to", "id_start", "key", "seed", "listed_under", "raw", "product", "site"),
                  where)
    product, all_types = load_product(spec, where)
    count = number(spec.get("count"), where, "count", integer=True)
    require(count >= 0, where, '"count" must not be negative')
    domains = spec.get("domains")
    require(isinstance(domains, list) and domains and all(isinstance(d, str) and d for d in domains),
             where, '"domains" must be a non-empty list of strings')
    types = spec.get("types", list(all_types))
    require(isinstance(types, list) and types and all(t in all_types for t in types),
             where, f'"types" must be a non-empty list of {", ".join(all_types)}')
    status = spec.get("status", "Complete")
    statuses = status if isinstance(status, list) else [status]
    require(statuses and all(s in TASK_STATUSES for s in statuses), where,
             f'"status" must be one of {", ".join(TASK_STATUSES)} or a list of them')
    created_from = number(spec.get("created_from", -3600), where, "created_from", integer=True)
    created_to = number(spec.get("created_to", created_from), where, "created_to", integer=True)
    require(created_to >= created_from, where, '"created_to" must not be before "created_from"')
    id_start = number(spec.get("id_start", 900000), where, "id_start", integer=True)
    require(id_start >= 0, where, '"id_start" must not be negative')
    description = spec.get("description", DEFAULT_FAILURE)
    require(isinstance(description, str), where, '"description" must be a string')
    key = optional_str(spec, "key", where)
    extras = load_task_extras(spec, where)
    template = load_states(spec["states"], where) if "states" in spec else None
    words = random.Random(spec.get("seed", 0))

    tasks = []
    span = created_to - created_from
    for i in range(count):
        domain = domains[i % len(domains)]
        task_type = types[(i // len(domains)) % len(types)]
        task_id = str(id_start + i)
        created = created_from + (i * span) // max(count - 1, 1)
        path = GENERATED_PATHS[task_type].format(domain=domain, id=task_id, word=words.choice(PATH_WORDS))
        if template is None:
            st = statuses[i % len(statuses)]
            states = (TaskState(0, st, DEFAULT_PROCESS[st], description if st == "Failed" else ""),)
        else:
            states = template
        task = Task(task_id, path, task_type, epoch + created, key, states, *extras, product=product)
        tasks.append(dataclasses.replace(task, site=task_site(product, spec, task.domain or domain,
                                                              where, sites)))
    return tasks


def load_scenario(doc, epoch: int) -> Scenario:
    """Validates a scenario document; `epoch` is the simulator's clock at its
    start (whole seconds, Clock.zero), the zero of every relative time in it."""
    require(isinstance(doc, dict), "scenario", "must be a JSON object")
    known_members(doc, ("quota", "cdn_quota", "sites", "tasks", "generate", "faults", "ram", "clock",
                        "submissions"), "scenario")
    quota = load_quota(doc.get("quota", {}), DEFAULT_QUOTA, "quota")
    cdn_quota = load_quota(doc.get("cdn_quota", {}), DEFAULT_CDN_QUOTA, "cdn_quota")
    sites = load_sites(doc.get("sites", []))

    tasks = []
    for i, spec in enumerate(doc.get("tasks", [])):
        tasks.append(load_task(spec, f"tasks[{i}]", epoch, sites))
    for i, spec in enumerate(doc.get("generate", [])):
        tasks.extend(generate_tasks(spec, f"generate[{i}]", epoch, sites))
    seen = set()
    for task in tasks:
        require(task.task_id not in seen, "tasks", f"duplicate task id {task.task_id}")
        seen.add(task.task_id)

    faults = [load_fault(spec, f"faults[{i}]") for i, spec in enumerate(doc.get("faults", []))]
    submissions = load_submissions(doc.get("submissions", {}), "submissions")
    submissions.next_id = max([int(t.task_id) for t in tasks] + [SUBMITTED_ID_FLOOR]) + 1
    return Scenario(tasks, quota, faults, *load_ram(doc.get("ram", {}), "ram"),
                    load_clock(doc.get("clock", []), "clock"), submissions, cdn_quota, sites)


def load_quota(raw, defaults: typing.Mapping[str, str], where: str) -> typing.Dict[str, typing.Any]:
    """"quota" (DCDN) or "cdn_quota": any member name, sent verbatim; numbers
    become strings, as the service's quota fields are; anything else (null,
    true, ...) goes as is."""
    require(isinstance(raw, dict), where, "must be an object")
    quota = dict(defaults)
    quota.update({k: str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                  for k, v in raw.items()})
    return quota


def load_submissions(raw, where: str) -> Submissions:
    """The scenario's "submissions": {"states": {TYPE: [states]}, "rules":
    [{"match": REGEX, "states": [states]}]}, both optional."""
    require(isinstance(raw, dict), where, "must be an object")
    known_members(raw, ("states", "rules"), where)
    submissions = default_submissions()
    by_type = raw.get("states", {})
    require(isinstance(by_type, dict), f"{where}.states", "must be an object by task type")
    for task_type, states in by_type.items():
        require(task_type in TASK_TYPES + ESA_TYPES, f"{where}.states",
                 f'"{task_type}" is not one of {", ".join(dict.fromkeys(TASK_TYPES + ESA_TYPES))}')
        submissions.states[task_type] = load_states(states, f"{where}.states.{task_type}")
    rules = raw.get("rules", [])
    require(isinstance(rules, list), f"{where}.rules", "must be a list")
    loaded = []
    for i, rule in enumerate(rules):
        here = f"{where}.rules[{i}]"
        require(isinstance(rule, dict), here, "must be an object")
        known_members(rule, ("match", "states"), here)
        require(isinstance(rule.get("match"), str), here, '"match" must be a regular expression')
        try:
            pattern = re.compile(rule["match"])
        except re.error as err:
            raise ScenarioError(f'{here}: "match": {err}') from None
        require("states" in rule, here, 'needs "states"')
        loaded.append((pattern, load_states(rule["states"], here)))
    submissions.rules = tuple(loaded)
    return submissions


def load_clock(raw, where: str) -> typing.Tuple[typing.Tuple[float, float], ...]:
    """Clock steps: [{"from": T, "offset": S}, ...], T rising."""
    require(isinstance(raw, list), where, "must be a list of steps")
    steps = []
    for i, step in enumerate(raw):
        here = f"{where}[{i}]"
        require(isinstance(step, dict), here, "must be an object")
        known_members(step, ("from", "offset"), here)
        require("from" in step and "offset" in step, here, 'needs "from" and "offset"')
        since, offset = number(step["from"], here, "from"), number(step["offset"], here, "offset")
        require(math.isfinite(since) and math.isfinite(offset), here, '"from" and "offset" must be finite')
        require(not steps or since >= steps[-1][0], here, '"from" must not decrease')
        steps.append((since, offset))
    return tuple(steps)


# The scenario used without --scenario: three domains, 16 tasks of every type;
# one failed long ago, one is refreshing for the first 8 minutes, one fails
# about 90 s after start, one appears a minute after start, and one is older
# than the 3-day query horizon (only DescribeDcdnRefreshTaskById finds it).
DEFAULT_SCENARIO = {
    "tasks": [
        {"id": "1000", "path": "http://www.example.com/old.html", "type": "file", "created": -300000},
        {"id": "1001", "path": "http://www.example.com/index.html", "type": "file", "created": -7200},
        {"id": "1002", "path": "http://www.example.com/assets/", "type": "directory", "created": -6600},
        {"id": "1003", "path": "http://img.example.com/banner.jpg", "type": "preload", "created": -6000},
        {"id": "1004", "path": "http://img.example.com/thumbs/.*\\.png", "type": "regex", "created": -5400},
        {"id": "1005", "path": "http://static.example.org/app.js", "type": "file", "created": -4800,
         "states": [{"after": 0, "status": "Refreshing", "process": "10%"},
                    {"after": 60, "status": "Failed", "process": "10%", "description": "OriginTimeout"}]},
        {"id": "1006", "path": "http://www.example.com/about.html", "type": "file", "created": -4200},
        {"id": "1007", "path": "http://static.example.org/video/intro.mp4", "type": "preload", "created": -3600},
        {"id": "1008", "path": "http://img.example.com/avatars/", "type": "directory", "created": -3000},
        {"id": "1009", "path": "http://www.example.com/news/today.html", "type": "file", "created": -1800},
        {"id": "1010", "path": "http://static.example.org/app.css", "type": "file", "created": -1200},
        {"id": "1011", "path": "http://img.example.com/hero.webp", "type": "preload", "created": -600},
        {"id": "1012", "path": "http://www.example.com/blog/.*\\.html", "type": "regex", "created": -300},
        {"id": "1013", "path": "http://static.example.org/fonts/", "type": "directory", "created": -120,
         "states": [{"after": 0, "status": "Refreshing", "process": "10%"},
                    {"after": 300, "status": "Refreshing", "process": "60%"},
                    {"after": 600, "status": "Complete", "process": "100%"}]},
        {"id": "1014", "path": "http://img.example.com/promo/sale.mp4", "type": "preload", "created": -30,
         "states": [{"after": 0, "status": "Pending", "process": "0%"},
                    {"after": 45, "status": "Refreshing", "process": "40%"},
                    {"after": 120, "status": "Failed", "process": "40%",
                     "description": "OriginReturn StatusCode 5XX"}]},
        {"id": "1015", "path": "http://www.example.com/", "type": "file", "created": 60,
         "states": [{"after": 0, "status": "Refreshing", "process": "0%"},
                    {"after": 30, "status": "Complete", "process": "100%"}]},
    ],
}


def read_scenario(path: typing.Optional[str], epoch: int) -> Scenario:
    if path is None:
        return load_scenario(DEFAULT_SCENARIO, epoch)
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, json.JSONDecodeError) as err:
        raise ScenarioError(f"{path}: {err}") from err
    return load_scenario(doc, epoch)
