"""The sandbox: RefreshDcdnObjectCaches and PreloadDcdnObjectCaches (CDN:
RefreshObjectCaches and PushObjectCache) create tasks that then play their
states (scenario "submissions"), and draw on a daily quota that
DescribeDcdnRefreshQuota (DescribeRefreshQuota) reports; ESA's PurgeCaches
and PreloadCaches create theirs through create_tasks.  Every rule of the two
actions' parameters, the per-request limits and the quota, as the service
documents them; the handlers in actions.py hand in the parameters."""

import dataclasses
import json
import typing
import urllib.parse

from .errors import ApiError, missing
from .ram import DOMAIN_PATTERN
from .scenario import Scenario, Task

MAX_PATH_LENGTH = 1024      # characters per ObjectPath line


@dataclasses.dataclass(frozen=True)
class Kind:
    """One kind of submission: the tasks' type, the quota members it draws
    on (<quota>Quota / <quota>Remain) and the most paths per request."""
    task_type: str
    quota: str
    per_request: int
    over_quota: str         # the code once the day's quota is used up


# RefreshDcdnObjectCaches' ObjectType (any case; default File).  The service
# documents 1,000 URLs or 100 directories per request; regexes are held to
# the directories' limit (unverified).  IgnoreParams tasks are URL tasks.
REFRESH_KINDS = {
    "file": Kind("file", "Url", 1000, "QuotaExceeded.Refresh"),
    "directory": Kind("directory", "Dir", 100, "QuotaExceeded.Refresh"),
    "regex": Kind("regex", "Regex", 100, "QuotaExceeded.Refresh"),
    "ignoreparams": Kind("file", "IgnoreParams", 1000, "QuotaExceeded.Refresh"),
}
PRELOAD_KIND = Kind("preload", "Preload", 100, "QuotaExceeded.Preload")
PRELOAD_EDGE_KIND = Kind("preload", "PreloadEdge", 100, "QuotaExceeded.Preload")    # CDN's L1 prefetch
PRELOAD_AREAS = ("domestic", "overseas")


def split_paths(text: typing.Optional[str]) -> typing.List[str]:
    """ObjectPath: one path per line (\\n or \\r\\n); empty lines dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def path_host(path: str) -> typing.Optional[str]:
    """The host a path names, lowercased ("example.com/a" counts as
    http://example.com/a); None when there is none."""
    url = path if "://" in path else "http://" + path
    try:
        return urllib.parse.urlsplit(url).hostname
    except ValueError:
        return None


def path_domains(text: typing.Optional[str]) -> typing.Set[str]:
    """The domains a submission's ObjectPath names: its RAM resources."""
    return {h for h in map(path_host, split_paths(text)) if h}


def normalized_path(path: str) -> str:
    """The path as the task lists it: with a scheme (http:// if none was
    given), else exactly as submitted; InvalidObjectPath.Malformed or
    InvalidExtensiveDomain.ValueNotSupported for what the service refuses."""
    url = path if "://" in path else "http://" + path
    scheme = url.split("://", 1)[0].lower()
    host = path_host(path)
    if len(path) > MAX_PATH_LENGTH or scheme not in ("http", "https") or not host:
        raise ApiError("InvalidObjectPath.Malformed")
    if host.startswith("*."):
        raise ApiError("InvalidExtensiveDomain.ValueNotSupported")
    if not DOMAIN_PATTERN.fullmatch(host):
        raise ApiError("InvalidObjectPath.Malformed")
    return url


def check_boolean(name: str, value: typing.Optional[str]):
    if value is not None and value.lower() not in ("true", "false"):
        raise ApiError("InvalidParameter", f"The specified parameter {name} is invalid: "
                                           "it must be true or false.")


def refresh_kind(object_type: typing.Optional[str]) -> Kind:
    kind = REFRESH_KINDS.get((object_type or "File").lower())
    if kind is None:
        raise ApiError("InvalidObjectType.Malformed")
    return kind


def check_preload(area: typing.Optional[str], with_header: typing.Optional[str]):
    if area is not None and area not in PRELOAD_AREAS:
        raise ApiError("InvalidParameter", "The specified parameter Area is invalid: "
                                           "it must be domestic or overseas.")
    if with_header is not None:
        try:
            ok = isinstance(json.loads(with_header), dict)
        except ValueError:
            ok = False
        if not ok:
            raise ApiError("InvalidParameter", "The specified parameter WithHeader is invalid: "
                                               "it must be a JSON object.")


def quota_number(quota: typing.Mapping[str, typing.Any], name: str) -> typing.Optional[int]:
    """A quota member as a count; None when the scenario made it something else."""
    value = quota.get(name)
    return int(value) if isinstance(value, str) and value.isdigit() else None


def day_of(now: float) -> int:
    """The quota's day: the UTC date of the simulator's clock."""
    return int(now // 86400)


def used_today(scenario: Scenario, product: str, kind_quota: str, now: float) -> int:
    """What today's submissions drew on one product's quota <kind_quota>
    (call under the submissions' lock)."""
    return scenario.submissions.used.get((day_of(now), product, kind_quota), 0)


def remaining(scenario: Scenario, kind_quota: str, now: float, product: str = "dcdn") -> typing.Optional[int]:
    """What is left today of <kind_quota>Remain; None: not a count, no limit."""
    start = quota_number(scenario.quota_of(product), kind_quota + "Remain")
    if start is None:
        return None
    return max(0, start - used_today(scenario, product, kind_quota, now))


def quota_report(scenario: Scenario, now: float, product: str = "dcdn") -> dict:
    """DescribeDcdnRefreshQuota (DescribeRefreshQuota): the product's quota,
    each *Remain less what today's submissions used (members that are not
    counts as they are)."""
    quota = scenario.quota_of(product)
    report = dict(quota)
    with scenario.submissions.lock:
        for name in quota:
            if name.endswith("Remain"):
                left = remaining(scenario, name[:-len("Remain")], now, product)
                if left is not None:
                    report[name] = str(left)
    return report


def submit(scenario: Scenario, kind: Kind, object_path: typing.Optional[str],
           now: float, product: str = "dcdn") -> typing.List[str]:
    """Checks the paths and today's quota, then creates one task per path
    (new TaskIds, in order); returns the ids."""
    if object_path is None:
        raise missing("ObjectPath")
    paths = split_paths(object_path)
    if not paths:
        raise ApiError("InvalidObjectPath.Malformed")
    if len(paths) > kind.per_request:
        raise ApiError("SingleRequest.OverLimit",
                       f"A maximum of {kind.per_request} URLs are supported for each request.")
    urls = [normalized_path(p) for p in paths]
    return create_tasks(scenario, product, kind.task_type, urls, now,
                        lambda: remaining(scenario, kind.quota, now, product), kind.quota, kind.over_quota)


def create_tasks(scenario: Scenario, product: str, task_type: str, contents: typing.Sequence[str],
                 now: float, left: typing.Callable[[], typing.Optional[int]], quota_key: str,
                 over_quota: str, site: typing.Optional[int] = None) -> typing.List[str]:
    """One new task per content (new TaskIds, in order) if `left()` (what is
    left of today's quota, None: no limit; called under the lock) allows
    them all, drawing them on (day, product, quota_key); returns the ids."""
    created = int(now)
    sub = scenario.submissions
    with sub.lock:
        room = left()
        if room is not None and len(contents) > room:
            raise ApiError(over_quota)
        ids = [str(sub.next_id + i) for i in range(len(contents))]
        sub.next_id += len(contents)
        key = (day_of(now), product, quota_key)
        sub.used[key] = sub.used.get(key, 0) + len(contents)
        # Visible to every key: the account's tasks, as its quota is.
        new = [Task(i, c, task_type, created, None, sub.states_for(task_type, c), product=product, site=site)
               for i, c in zip(ids, contents)]
        scenario.tasks.extend(new)      # one step: a listing thread sees all or none
    return ids
