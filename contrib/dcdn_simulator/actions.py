"""The DCDN actions the simulator serves: the three the plugin calls
(DescribeDcdnRefreshTasks, DescribeDcdnRefreshTaskById,
DescribeDcdnRefreshQuota), every rule of their request parameters, paging
and the answer documents; and the sandbox's two that create tasks
(RefreshDcdnObjectCaches, PreloadDcdnObjectCaches; rules in sandbox.py).
CDN's five are the same handlers with CDN's data (ListShape, the quota's
PreloadEdge kind): CDN_ACTIONS.  Call and the parameter helpers serve
esa.py too."""

import dataclasses
import functools
import re
import typing

from .clock import parse_api_time
from . import sandbox
from .errors import ApiError, missing
from .scenario import TASK_TYPES, Scenario, Task

QUERY_HORIZON = 3 * 24 * 3600   # DescribeDcdnRefreshTasks sees the last 3 days


@dataclasses.dataclass
class Call:
    """What an action handler may know about the authenticated call."""
    now: float
    key_id: str
    scenario: Scenario
    domains: typing.Optional[typing.FrozenSet[str]] = None   # the key's RAM grant; None: all
    page_shift: int = 0     # a "shift" fault: later pages start this many tasks early
    product: str = "dcdn"   # whose tasks and quota the call sees

    def may_operate_on(self, task: Task) -> bool:
        if self.domains is None:
            return True
        if task.product == "esa":       # a domain grant names ESA sites by name
            site = self.scenario.site(task.site)
            return site is not None and site.name in self.domains
        return task.listed_for(self.domains)

    def visible_tasks(self) -> typing.List[Task]:
        return [t for t in self.scenario.tasks
                if t.product == self.product and t.visible(self.key_id, self.now) and self.may_operate_on(t)]


def param(params: dict, name: str) -> typing.Optional[str]:
    # An empty value counts as not given, as the SDKs disagree on sending it.
    value = params.get(name)
    return value if value else None


def domain_names(params: dict) -> typing.Optional[typing.Set[str]]:
    """The comma-separated DomainName values, lowercased; None if absent."""
    text = param(params, "DomainName")
    if text is None:
        return None
    return {d.strip().lower() for d in text.split(",") if d.strip()}


def call_domains(action: typing.Optional[str], params: dict,
                 resource_actions: typing.Sequence[str]) -> typing.Optional[typing.Set[str]]:
    """The domains RAM checks a DCDN or CDN call against: the list's
    (resource_actions[0]) DomainName values, a submission's URL hosts; None
    for the actions granted on all resources."""
    if action == resource_actions[0]:
        return domain_names(params)
    if action in resource_actions:
        return sandbox.path_domains(param(params, "ObjectPath"))
    return None


def bounded_int(params: dict, name: str, default: int, low: int, high: int) -> int:
    text = param(params, name)
    if text is None:
        return default
    if not re.fullmatch(r"[+-]?\d{1,12}", text) or not low <= int(text) <= high:
        raise ApiError("InvalidParameter",
                       f"The specified parameter {name} is invalid: it must be an integer from {low} to {high}.")
    return int(text)


@dataclasses.dataclass
class TaskQuery:
    task_id: typing.Optional[str]
    object_path: typing.Optional[str]
    object_type: typing.Optional[str]
    domains: typing.Optional[typing.Set[str]]
    status: typing.Optional[str]
    start: int
    end: int
    page_number: int
    page_size: int

    def matches(self, task: Task, now: float) -> bool:
        return (self.start <= task.created_at <= self.end
                and (self.task_id is None or task.task_id == self.task_id)
                and (self.object_path is None or task.path == self.object_path)
                and (self.object_type is None or task.type == self.object_type)
                and (self.domains is None or task.listed_for(self.domains))
                and (self.status is None or task.state_at(now).status == self.status))


@dataclasses.dataclass(frozen=True)
class ListShape:
    """How a product's refresh task list differs: the largest PageSize and
    the member that wraps the task array (Tasks.Task, Tasks.CDNTask)."""
    page_max: int
    member: str


DCDN_LIST = ListShape(50, "Task")
CDN_LIST = ListShape(100, "CDNTask")


def parse_task_query(params: dict, now: float, shape: ListShape = DCDN_LIST) -> TaskQuery:
    """Every rule of DescribeDcdnRefreshTasks' (DescribeRefreshTasks')
    request parameters; CDN's ResourceGroupId is accepted and filters nothing."""
    task_id = param(params, "TaskId")
    if task_id is not None and not task_id.isdigit():
        raise ApiError("InvalidTaskId.Malformed")
    object_type = param(params, "ObjectType")
    if object_type is not None and object_type not in TASK_TYPES:
        raise ApiError("InvalidObjectType.ValueNotSupported")
    status = param(params, "Status")
    if status is not None and status not in ("Complete", "Refreshing", "Failed"):
        raise ApiError("InvalidStatus.ValueNotSupported")
    domains = domain_names(params)
    if (domains is not None or status is not None) and object_type is None:
        raise ApiError("MissingParameter.ObjectType")
    if domains is not None and len(domains) > 500:
        raise ApiError("DomainNameOverLimit")
    page_number = bounded_int(params, "PageNumber", 1, 1, 100000)
    page_size = bounded_int(params, "PageSize", 20, 1, shape.page_max)
    start, end = parse_time_window(param(params, "StartTime"), param(params, "EndTime"), now)
    return TaskQuery(task_id, param(params, "ObjectPath"), object_type, domains, status,
                     start, end, page_number, page_size)


def parse_time_window(start_text, end_text, now: float) -> typing.Tuple[int, int]:
    now_s = int(now)
    if start_text is None and end_text is None:
        return now_s - QUERY_HORIZON, now_s
    if start_text is None or end_text is None:
        raise ApiError("MissingTimeParameter")
    start = parse_api_time(start_text)
    if start is None:
        raise ApiError("InvalidStartTime.Malformed")
    end = parse_api_time(end_text)
    if end is None:
        raise ApiError("InvalidEndTime.Malformed")
    if end < start:
        raise ApiError("InvalidEndTime.Mismatch")
    if start < now_s - QUERY_HORIZON:
        raise ApiError("InvalidTime")
    if start > now_s:
        raise ApiError("InvalidStartTime.ValueNotSupported")
    return start, end


def page_of(call: Call, found: typing.List[Task], page_number: int, page_size: int) -> typing.List[dict]:
    """One page of `found`, newest first, as the API lists tasks."""
    found = sorted(found, key=Task.sort_key, reverse=True)
    first = max(0, (page_number - 1) * page_size - call.page_shift)
    return [t.to_api(call.now) for t in found[first:first + page_size]]


def describe_refresh_tasks(call: Call, params: dict, shape: ListShape = DCDN_LIST) -> dict:
    query = parse_task_query(params, call.now, shape)
    found = [t for t in call.visible_tasks() if query.matches(t, call.now)]
    return {
        "PageNumber": query.page_number,
        "PageSize": query.page_size,
        "TotalCount": len(found),
        "Tasks": {shape.member: page_of(call, found, query.page_number, query.page_size)},
    }


def describe_refresh_task_by_id(call: Call, params: dict) -> dict:
    # A domain grant leaves out tasks of domains not granted.
    text = param(params, "TaskId")
    if text is None:
        raise missing("TaskId")
    ids = list(dict.fromkeys(i.strip() for i in text.split(",") if i.strip()))
    if len(ids) > 10:
        raise ApiError("InvalidTaskId.ExceedLimit")
    if not ids or not all(i.isdigit() for i in ids):
        raise ApiError("InvalidTaskId.Malformed")
    wanted = set(ids)
    found = sorted((t for t in call.visible_tasks() if t.task_id in wanted),
                   key=Task.sort_key, reverse=True)
    return {"TotalCount": len(found), "Tasks": [t.to_api(call.now) for t in found]}


def describe_refresh_quota(call: Call, params: dict) -> dict:
    return sandbox.quota_report(call.scenario, call.now, call.product)


def refresh_object_caches(call: Call, params: dict) -> dict:
    kind = sandbox.refresh_kind(param(params, "ObjectType"))
    sandbox.check_boolean("Force", param(params, "Force"))
    ids = sandbox.submit(call.scenario, kind, param(params, "ObjectPath"), call.now, call.product)
    return {"RefreshTaskId": ",".join(ids)}


def preload_object_caches(call: Call, params: dict, answer: str = "PreloadTaskId") -> dict:
    for name in ("L2Preload", "QueryHashkey"):
        sandbox.check_boolean(name, param(params, name))
    sandbox.check_preload(param(params, "Area"), param(params, "WithHeader"))
    kind = sandbox.PRELOAD_KIND
    if call.product == "cdn" and (param(params, "L2Preload") or "false").lower() == "false":
        kind = sandbox.PRELOAD_EDGE_KIND     # CDN: to L1 (edge) nodes unless L2Preload
    ids = sandbox.submit(call.scenario, kind, param(params, "ObjectPath"), call.now, call.product)
    return {answer: ",".join(ids)}


ACTIONS = {
    "DescribeDcdnRefreshTasks": describe_refresh_tasks,
    "DescribeDcdnRefreshTaskById": describe_refresh_task_by_id,
    "DescribeDcdnRefreshQuota": describe_refresh_quota,
    "RefreshDcdnObjectCaches": refresh_object_caches,
    "PreloadDcdnObjectCaches": preload_object_caches,
}
CDN_ACTIONS = {
    "DescribeRefreshTasks": functools.partial(describe_refresh_tasks, shape=CDN_LIST),
    "DescribeRefreshTaskById": describe_refresh_task_by_id,
    "DescribeRefreshQuota": describe_refresh_quota,
    "RefreshObjectCaches": refresh_object_caches,
    "PushObjectCache": functools.partial(preload_object_caches, answer="PushTaskId"),
}
