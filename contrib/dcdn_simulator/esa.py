"""ESA's actions (2024-09-10): ListSites and GetSite (the scenario's
"sites"), DescribePurgeTasks and DescribePreloadTasks (a site's tasks, flat
Tasks[] of strings), GetPurgeQuota (a site's daily quota by purge type), and
the sandbox's PurgeCaches and PreloadCaches, whose tasks play out like the
other products' and draw on that quota.  Parameter rules as the SDK models
document them; the error codes ESA gives are not published (unverified):
the simulator answers with DCDN's where the rule is the same."""

import json
import typing

from . import sandbox
from .actions import Call, bounded_int, page_of, param, parse_time_window
from .errors import ApiError, missing
from .scenario import Task
from .sites import PURGE_TYPES, Site

SEARCH_TYPES = ("exact", "prefix", "suffix", "fuzzy")
TASK_STATUSES = ("Complete", "Refreshing", "Failed")
SITE_CREATED = 1735689600       # every site's CreateTime: 2025-01-01T00:00:00Z
# PurgeCaches' Type -> the member of Content that holds the list, the type
# its tasks are listed (and counted) under, and the most entries per request
# (ESA publishes none: DCDN's figures, unverified).
PURGE_CONTENT = {
    "file": ("Files", "file", 1000), "cachekey": ("CacheKeys", "file", 1000),
    "cachetag": ("CacheTags", "cachetag", 100), "directory": ("Directories", "directory", 100),
    "ignoreParams": ("IgnoreParams", "ignoreParams", 1000), "hostname": ("Hostnames", "hostname", 100),
    "purgeall": ("PurgeAll", "purgeall", 1),
}
MAX_PRELOAD_URLS = 100


def invalid(name: str, rule: str) -> ApiError:
    return ApiError("InvalidParameter", f"The specified parameter {name} is invalid: {rule}.")


def site_id_of(params: dict) -> typing.Optional[int]:
    """SiteId as RAM and the handlers see it; None when absent or not a number."""
    text = param(params, "SiteId")
    return int(text) if text is not None and text.isdigit() else None


def call_sites(action: str, params: dict, scenario) -> typing.Tuple[typing.Set[str], typing.Set[str]]:
    """The call's RAM resources (site/{SiteId}) and, for a domain grant, the
    site's name ({} when the site is unknown, which no grant covers)."""
    site_id = site_id_of(params)
    if site_id is None:
        return set(), set()
    site = scenario.site(site_id)
    return {str(site_id)}, ({site.name} if site else set())


def the_site(call: Call, params: dict) -> Site:
    if param(params, "SiteId") is None:
        raise missing("SiteId")
    site_id = site_id_of(params)
    site = call.scenario.site(site_id) if site_id is not None else None
    if site is None:
        raise ApiError("SiteNotFound", "The specified site does not exist.", 404)
    return site


def choice(params: dict, name: str, values: typing.Sequence[str], default=None) -> typing.Optional[str]:
    value = param(params, name) or default
    if value is not None and value not in values:
        raise invalid(name, f"it must be one of {', '.join(values)}")
    return value


def list_sites(call: Call, params: dict) -> dict:
    name = (param(params, "SiteName") or "").lower()
    how = choice(params, "SiteSearchType", SEARCH_TYPES, "exact")
    status = choice(params, "Status", ("pending", "active", "offline", "moved"))
    page_number = bounded_int(params, "PageNumber", 1, 1, 100000)
    page_size = bounded_int(params, "PageSize", 500, 1, 500)
    match = {"exact": str.__eq__, "prefix": str.startswith, "suffix": str.endswith,
             "fuzzy": lambda site, text: text in site}[how]
    found = [s for s in sorted(call.scenario.sites, key=lambda s: s.site_id)
             if (not name or match(s.name, name)) and (status is None or s.status == status)
             and (call.domains is None or s.name in call.domains)]
    first = (page_number - 1) * page_size
    return {"PageNumber": page_number, "PageSize": page_size, "TotalCount": len(found),
            "Sites": [s.to_api(SITE_CREATED) for s in found[first:first + page_size]]}


def get_site(call: Call, params: dict) -> dict:
    return {"SiteModel": the_site(call, params).to_api(SITE_CREATED)}


def site_tasks(call: Call, params: dict, preload: bool, purge_type: typing.Optional[str]) -> dict:
    """DescribePurgeTasks (preload False, tasks of `purge_type`) or
    DescribePreloadTasks: the site's tasks, newest first, in pages of 1..50."""
    site = the_site(call, params)
    content = param(params, "Content")
    status = param(params, "Status")
    if status is not None and status not in TASK_STATUSES:
        raise ApiError("InvalidStatus.ValueNotSupported")
    page_number = bounded_int(params, "PageNumber", 1, 1, 100000)
    page_size = bounded_int(params, "PageSize", 20, 1, 50)
    start, end = parse_time_window(param(params, "StartTime"), param(params, "EndTime"), call.now)

    def wanted(t: Task) -> bool:
        return (t.site == site.site_id and (t.type == "preload") == preload
                and (purge_type is None or t.type == purge_type) and start <= t.created_at <= end
                and (content is None or t.path == content)
                and (status is None or t.state_at(call.now).status == status))

    found = [t for t in call.visible_tasks() if wanted(t)]
    return {"PageNumber": page_number, "PageSize": page_size, "TotalCount": len(found),
            "Tasks": page_of(call, found, page_number, page_size)}


def describe_purge_tasks(call: Call, params: dict) -> dict:
    # Type defaults to file, as the SDK model documents: one type per call.
    return site_tasks(call, params, False, choice(params, "Type", PURGE_TYPES, "file"))


def describe_preload_tasks(call: Call, params: dict) -> dict:
    return site_tasks(call, params, True, None)


def quota_left(call: Call, site: Site, purge_type: str) -> typing.Tuple[int, int]:
    """(daily Quota, Usage so far today) of one purge type of a site (call
    under the submissions' lock)."""
    total, usage = site.quota_of(purge_type)
    return total, usage + sandbox.used_today(call.scenario, "esa", f"{site.site_id}/{purge_type}", call.now)


def get_purge_quota(call: Call, params: dict) -> dict:
    site = the_site(call, params)
    purge_type = choice(params, "Type", PURGE_TYPES, "file")
    with call.scenario.submissions.lock:
        total, used = quota_left(call, site, purge_type)
    return {"Quota": str(total), "Usage": str(min(used, total))}


def json_param(params: dict, name: str, kind: type):
    text = param(params, name)
    if text is None:
        raise missing(name)
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, kind):
        raise ApiError("InvalidContent", f"The specified {name} is invalid: it must be a JSON "
                                         f"{'object' if kind is dict else 'array'}.")
    return value


def site_url(site: Site, entry, what: str) -> str:
    """One URL (or host name) of a submission; it must be on the site."""
    if not isinstance(entry, str) or not entry:
        raise ApiError("InvalidContent", f"Each entry of {what} must be a non-empty string.")
    host = sandbox.path_host(entry)
    if not host or not site.covers(host):
        raise ApiError("InvalidContent", f"{entry!r} is not on the site {site.name}.")
    return entry


def purge_contents(site: Site, purge_type: str, content: dict) -> typing.List[str]:
    member, _, most = PURGE_CONTENT[purge_type]
    if purge_type == "purgeall":
        if content.get("PurgeAll") is not True:
            raise ApiError("InvalidContent", 'A purgeall purge needs "PurgeAll": true.')
        return [site.name]
    entries = content.get(member)
    if not isinstance(entries, list) or not entries:
        raise ApiError("InvalidContent", f"The Content must hold a non-empty {member} list.")
    if len(entries) > most:
        raise ApiError("SingleRequest.OverLimit", f"A maximum of {most} entries are supported for each request.")
    if purge_type == "cachekey":
        entries = [e.get("Url") if isinstance(e, dict) else None for e in entries]
    elif purge_type == "file":      # a file is a URL or {"Url": ..., "Headers": ...}
        entries = [e.get("Url") if isinstance(e, dict) else e for e in entries]
    if purge_type == "cachetag":
        if not all(isinstance(e, str) and e for e in entries):
            raise ApiError("InvalidContent", "Each cache tag must be a non-empty string.")
        return list(entries)
    return [site_url(site, e, member) for e in entries]


def purge_caches(call: Call, params: dict) -> dict:
    site = the_site(call, params)
    if param(params, "Type") is None:
        raise missing("Type")
    purge_type = choice(params, "Type", tuple(PURGE_CONTENT))
    for name in ("Force", "EdgeComputePurge"):
        sandbox.check_boolean(name, param(params, name))
    contents = purge_contents(site, purge_type, json_param(params, "Content", dict))
    listed_as = PURGE_CONTENT[purge_type][1]

    def left():
        total, used = quota_left(call, site, listed_as)
        return max(0, total - used)

    ids = sandbox.create_tasks(call.scenario, "esa", listed_as, contents, call.now, left,
                               f"{site.site_id}/{listed_as}", "QuotaExceeded.Purge", site.site_id)
    return {"TaskId": ",".join(ids)}


def preload_caches(call: Call, params: dict) -> dict:
    site = the_site(call, params)
    urls = json_param(params, "Content", list)
    if not urls or len(urls) > MAX_PRELOAD_URLS:
        raise ApiError("InvalidContent", f"The Content must hold 1 to {MAX_PRELOAD_URLS} URLs.")
    if param(params, "Headers") is not None:
        json_param(params, "Headers", dict)
    contents = [site_url(site, u, "Content") for u in urls]
    # No GetPurgeQuota type reports prefetches: no limit here.
    ids = sandbox.create_tasks(call.scenario, "esa", "preload", contents, call.now, lambda: None,
                               f"{site.site_id}/preload", "QuotaExceeded.Preload", site.site_id)
    return {"TaskId": ",".join(ids)}


ESA_ACTIONS = {
    "ListSites": list_sites,
    "GetSite": get_site,
    "DescribePurgeTasks": describe_purge_tasks,
    "DescribePreloadTasks": describe_preload_tasks,
    "GetPurgeQuota": get_purge_quota,
    "PurgeCaches": purge_caches,
    "PreloadCaches": preload_caches,
}
