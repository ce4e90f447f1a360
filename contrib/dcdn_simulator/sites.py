"""ESA's sites: the scenario's "sites" member (each site an apex domain with
its SiteId, status and purge quota), how a task finds its site, and the
site object ListSites and GetSite answer with."""

import dataclasses
import typing

from .clock import format_api_time
from .ram import DOMAIN_PATTERN
from .validation import known_members, number, require

# DescribePurgeTasks' and GetPurgeQuota's Type values (file is the default
# of both); PurgeCaches also takes cachekey, listed and counted as file.
PURGE_TYPES = ("file", "cachetag", "directory", "ignoreParams", "hostname", "purgeall")
SITE_STATUSES = ("pending", "active", "offline", "moved")
# A site's daily purge quota by type, when the scenario gives none
# (the plans' figures are not published per type: unverified, round numbers).
DEFAULT_SITE_QUOTA = {"file": 10000, "cachetag": 1000, "directory": 1000, "ignoreParams": 10000,
                      "hostname": 100, "purgeall": 10}
SITE_ID_FLOOR = 10 ** 12        # SiteIds are 13+ digit integers (JSON numbers)


@dataclasses.dataclass(frozen=True)
class Site:
    site_id: int
    name: str                   # the apex domain, lowercase
    status: str
    quota: typing.Tuple[typing.Tuple[str, int, int], ...]   # (type, daily Quota, Usage at start)
    raw: typing.Tuple[typing.Tuple[str, typing.Any], ...] = ()

    def covers(self, host: str) -> bool:
        """`host` is the site's apex or a name under it."""
        return host == self.name or host.endswith("." + self.name)

    def quota_of(self, purge_type: str) -> typing.Tuple[int, int]:
        return next((q, u) for t, q, u in self.quota if t == purge_type)

    def to_api(self, created: int) -> dict:
        stamp = format_api_time(created)
        return {
            "SiteId": self.site_id, "SiteName": self.name, "Status": self.status,
            "AccessType": "CNAME", "Coverage": "global", "CnameZone": "",
            "NameServerList": "", "InstanceId": f"esa-site-{self.site_id}", "PlanName": "standard",
            "PlanSpecName": "standard", "ResourceGroupId": "rg-default", "OfflineReason": "",
            "VerifyCode": "", "CreateTime": stamp, "UpdateTime": stamp, "VisitTime": stamp, "Tags": {},
            **dict(self.raw),
        }


def load_site_quota(raw, where: str) -> typing.Tuple[typing.Tuple[str, int, int], ...]:
    """{"TYPE": {"quota": N, "usage": N}}, types not named get the default."""
    require(isinstance(raw, dict), where, "must be an object by purge type")
    quota = []
    for purge_type in PURGE_TYPES:
        entry = raw.get(purge_type, {})
        here = f"{where}.{purge_type}"
        require(isinstance(entry, dict), here, 'must be an object with "quota" and/or "usage"')
        known_members(entry, ("quota", "usage"), here)
        total = number(entry.get("quota", DEFAULT_SITE_QUOTA[purge_type]), here, "quota", integer=True)
        usage = number(entry.get("usage", 0), here, "usage", integer=True)
        require(0 <= usage <= total, here, '"usage" must be from 0 to "quota"')
        quota.append((purge_type, total, usage))
    unknown = sorted(set(raw) - set(PURGE_TYPES))
    require(not unknown, where, f'{", ".join(unknown)}: not one of {", ".join(PURGE_TYPES)}')
    return tuple(quota)


def load_sites(raw, where: str = "sites") -> typing.List[Site]:
    """The scenario's "sites": [{"id": SITEID, "name": APEX, "status": ...,
    "quota": {...}, "raw": {...}}]; ids and names unique."""
    require(isinstance(raw, list), where, "must be a list of sites")
    sites = []
    for i, spec in enumerate(raw):
        here = f"{where}[{i}]"
        require(isinstance(spec, dict), here, "must be an object")
        known_members(spec, ("id", "name", "status", "quota", "raw"), here)
        site_id = number(spec.get("id"), here, "id", integer=True)
        require(0 < site_id < 2 ** 53, here, '"id" must be a positive integer below 2^53')
        name = spec.get("name")
        require(isinstance(name, str) and DOMAIN_PATTERN.fullmatch(name.lower()) and "." in name,
                 here, '"name" must be a domain name (the site\'s apex)')
        status = spec.get("status", "active")
        require(status in SITE_STATUSES, here, f'"status" must be one of {", ".join(SITE_STATUSES)}')
        extra = spec.get("raw", {})
        require(isinstance(extra, dict), here, '"raw" must be an object of answer fields')
        sites.append(Site(site_id, name.lower(), status, load_site_quota(spec.get("quota", {}), f"{here}.quota"),
                          tuple(extra.items())))
    for attr, what in (("site_id", "id"), ("name", "name")):
        values = [getattr(s, attr) for s in sites]
        dupes = sorted({str(v) for v in values if values.count(v) > 1})
        require(not dupes, where, f"duplicate site {what} {', '.join(dupes)}")
    return sites


def site_for(sites: typing.Sequence[Site], given, host: str, where: str) -> Site:
    """An ESA task's site: `given` (a SiteId or a site name) if the scenario
    names one, else the site whose apex is the host's or one above it."""
    if given is not None:
        found = [s for s in sites if given in (s.site_id, s.name) and not isinstance(given, bool)]
        require(bool(found), where, f'"site": no site {given!r} in "sites"')
        return found[0]
    found = sorted((s for s in sites if host and s.covers(host)), key=lambda s: -len(s.name))
    require(bool(found), where, f'no site in "sites" covers {host or "the task"!r}: give "site"')
    return found[0]
