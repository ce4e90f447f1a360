"""RAM, what a key may do on each product (DCDN, CDN, ESA): domain grants,
actions refused outright, and RAM policy documents (parsed, validated and
evaluated as RAM does), combined per key in a RamEntry; and the scenario's
"ram" member."""

import dataclasses
import functools
import re
import typing

from .validation import ScenarioError, known_members, require


@dataclasses.dataclass(frozen=True)
class RamService:
    """One product as RAM sees it: its action prefix (the RAM code), the kind
    of resource its resource-level actions name (acs:{code}:*:{accountId}:
    {kind}/{name}), those actions, and the ones granted on all resources."""
    code: str
    kind: str                                   # "domain" or "site"
    resource_actions: typing.Tuple[str, ...]
    other_actions: typing.Tuple[str, ...]

    @property
    def account_arn(self) -> str:
        return f"acs:{self.code}:*:{RAM_ACCOUNT_ID}:"

    @property
    def resource_arn(self) -> str:
        return f"{self.account_arn}{self.kind}/"


RAM_ACCOUNT_ID = "1234567890123456"     # the simulated account: the ARNs' account part
# The list and the sandbox's submitting actions name a domain (DCDN, CDN: the
# domain of each URL submitted, as for RefreshErObjectCaches, whose table is
# published) or a site (ESA: site/{SiteId}); the others all resources.
RAM_SERVICES = {
    "dcdn": RamService("dcdn", "domain",
                       ("DescribeDcdnRefreshTasks", "RefreshDcdnObjectCaches", "PreloadDcdnObjectCaches"),
                       ("DescribeDcdnRefreshTaskById", "DescribeDcdnRefreshQuota")),
    "cdn": RamService("cdn", "domain", ("DescribeRefreshTasks", "RefreshObjectCaches", "PushObjectCache"),
                      ("DescribeRefreshTaskById", "DescribeRefreshQuota")),
    "esa": RamService("esa", "site",
                      ("DescribePurgeTasks", "DescribePreloadTasks", "GetSite", "PurgeCaches", "PreloadCaches"),
                      ("ListSites", "GetPurgeQuota")),
}
DCDN = RAM_SERVICES["dcdn"]
LIST_ACTION = "DescribeDcdnRefreshTasks"
SUBMIT_ACTIONS = ("RefreshDcdnObjectCaches", "PreloadDcdnObjectCaches")
RAM_ACTIONS = tuple(a for s in RAM_SERVICES.values() for a in s.resource_actions + s.other_actions)
ACCOUNT_ARN = DCDN.account_arn
DOMAIN_ARN = DCDN.resource_arn

# A domain as RAM names it (acs:dcdn:*:{accountId}:domain/{domainName}): an
# exact host name, compared in lowercase; no wildcards.
DOMAIN_PATTERN = re.compile(r"(?:[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?")


def domain_grant(names: typing.Iterable[str]) -> typing.FrozenSet[str]:
    """A RAM policy's domain list -> the set of granted domains, lowercased;
    ValueError for an empty list or anything that is not a host name."""
    names = list(names)
    if not names:
        raise ValueError("grants no domain")
    for name in names:
        if not isinstance(name, str) or not DOMAIN_PATTERN.fullmatch(name.lower()):
            raise ValueError(f"not a domain name: {name!r}")
    return frozenset(n.lower() for n in names)


def denied_actions(names: typing.Iterable[str]) -> typing.FrozenSet[str]:
    """Actions refused outright; ValueError for an empty list or a name
    that is not one of the simulator's actions (surely a typo)."""
    names = list(names)
    if not names:
        raise ValueError("denies no action")
    for name in names:
        if name not in RAM_ACTIONS:
            raise ValueError(f"not an action of the simulator: {name!r}")
    return frozenset(names)


@functools.lru_cache(maxsize=4096)
def ram_glob(pattern: str) -> typing.Pattern:
    """A RAM wildcard: `*` is any run of characters; case-insensitive."""
    return re.compile(".*".join(re.escape(p) for p in pattern.split("*")), re.IGNORECASE | re.DOTALL)


@dataclasses.dataclass(frozen=True)
class Statement:
    allow: bool                             # Effect: Allow, else Deny
    actions: typing.Tuple[str, ...]         # patterns, e.g. dcdn:Describe*
    resources: typing.Tuple[str, ...]       # patterns, e.g. acs:dcdn:*:*:domain/*

    def names(self, action: str, code: str = "dcdn") -> bool:
        return any(ram_glob(a).fullmatch(f"{code}:{action}") for a in self.actions)

    def covers(self, resource: str) -> bool:
        """Every resource `resource` stands for (a `*` in it is a literal
        star, which only a wildcard matches) is matched."""
        return any(ram_glob(r).fullmatch(resource) for r in self.resources)

    def touches(self, prefix: str) -> bool:
        """Some resource that starts with `prefix` is matched: a leading
        part of a pattern matches the prefix exactly."""
        return any(ram_glob(r[:i]).fullmatch(prefix) for r in self.resources for i in range(len(r) + 1))


def policy_allows(statements: typing.Sequence[Statement], action: str,
                  resources: typing.Optional[typing.Set[str]], service: RamService = DCDN) -> bool:
    """RAM's evaluation: a Deny that applies refuses, else every resource of
    the call needs an Allow.  `resources`: the names after {kind}/ in the
    ARN: the list's DomainName values (no name: every domain, which a Deny
    on any domain also refuses), a submission's the domain of each URL, an
    ESA call's SiteId; the other actions are granted on all resources, so
    only statements on all of them count."""
    named = [s for s in statements if s.names(action, service.code)]
    if action not in service.resource_actions:
        applying = [s for s in named if s.covers("*") or s.covers(service.account_arn + "*")]
        return bool(applying) and all(s.allow for s in applying)
    if not resources:
        if any(not s.allow and s.touches(service.resource_arn) for s in named):
            return False
        return any(s.allow and s.covers(service.resource_arn + "*") for s in named)
    for name in resources:
        applying = [s for s in named if s.covers(service.resource_arn + name)]
        if not applying or not all(s.allow for s in applying):
            return False
    return True


POLICY_UNSUPPORTED = ("NotAction", "NotResource", "Condition", "Principal")
POLICY_ACTION = re.compile(r"\*|[A-Za-z0-9*-]+:[A-Za-z0-9*]+")
POLICY_RESOURCE = re.compile(r"\*+|acs:[^:]*:[^:]*:[^:]*:.+")


def _policy_list(spec: dict, name: str, pattern: typing.Pattern, where: str) -> typing.Tuple[str, ...]:
    value = spec.get(name)
    values = [value] if isinstance(value, str) else value
    require(isinstance(values, list) and values and all(isinstance(v, str) for v in values),
             where, f'"{name}" must be a string or a non-empty list of strings')
    for v in values:
        require(pattern.fullmatch(v), where, f'"{name}": not a RAM {name.lower()}: {v!r}')
    return tuple(values)


def load_statement(spec, where: str) -> Statement:
    require(isinstance(spec, dict), where, "must be an object")
    unsupported = sorted(set(spec) & set(POLICY_UNSUPPORTED))
    require(not unsupported, where, f"{', '.join(unsupported)}: not supported by the simulator")
    known_members(spec, ("Effect", "Action", "Resource"), where, comment=False)
    effect = spec.get("Effect")
    require(effect in ("Allow", "Deny"), where, '"Effect" must be "Allow" or "Deny"')
    return Statement(effect == "Allow", _policy_list(spec, "Action", POLICY_ACTION, where),
                     _policy_list(spec, "Resource", POLICY_RESOURCE, where))


def load_policy(doc, where: str = "") -> typing.Tuple[Statement, ...]:
    """A RAM policy document: {"Version": "1", "Statement": [...]}.  Errors
    name the member, under `where` (the document itself when empty)."""
    top, inner = where or "policy", f"{where}." if where else ""
    require(isinstance(doc, dict), top, "must be an object (a RAM policy document)")
    known_members(doc, ("Version", "Statement"), top, comment=False)
    require(doc.get("Version") == "1", top, '"Version" must be "1"')
    raw = doc.get("Statement")
    require(isinstance(raw, list) and raw, top, '"Statement" must be a non-empty list')
    return tuple(load_statement(s, f"{inner}Statement[{i}]") for i, s in enumerate(raw))


@dataclasses.dataclass(frozen=True)
class RamEntry:
    """What RAM lets one key do: a domain grant (None: every domain), the
    actions it is refused outright, the policy statements attached (None:
    no policy document).  All three must let a call through."""
    domains: typing.Optional[typing.FrozenSet[str]] = None
    deny: typing.FrozenSet[str] = frozenset()
    policy: typing.Optional[typing.Tuple[Statement, ...]] = None

    def allows(self, action: str, resources: typing.Optional[typing.Set[str]],
               service: RamService = DCDN, domains: typing.Optional[typing.Set[str]] = None) -> bool:
        """`resources`: the call's resource names (see policy_allows; None
        or empty: account-wide); `domains`: what a domain grant compares,
        when not the resources themselves (an ESA call's site names)."""
        if action in self.deny:
            return False
        if self.policy is not None and not policy_allows(self.policy, action, resources, service):
            return False
        names = resources if domains is None else domains
        return (self.domains is None or action not in service.resource_actions
                or (bool(names) and names <= self.domains))


def ram_entries(domains: typing.Mapping[str, typing.FrozenSet[str]],
                deny: typing.Mapping[str, typing.FrozenSet[str]],
                policies: typing.Mapping[str, typing.Tuple[Statement, ...]]) -> typing.Dict[str, RamEntry]:
    return {key_id: RamEntry(domains.get(key_id), deny.get(key_id, frozenset()), policies.get(key_id))
            for key_id in set(domains) | set(deny) | set(policies)}


def load_ram(raw, where: str):
    """The scenario's "ram": key -> a list of domains, or an object with
    "domains", "deny" and/or "policy".  Returns (domains, deny, policies),
    each a dict by key."""
    require(isinstance(raw, dict), where, 'must be an object mapping AccessKeyIds to RAM entries')
    domains, deny, policies = {}, {}, {}
    for key_id, entry in raw.items():
        here = f"{where}.{key_id}"
        require(bool(key_id), where, "an AccessKeyId must not be empty")
        if isinstance(entry, list):
            entry = {"domains": entry}
        require(isinstance(entry, dict), here, 'must be a list of domain names or an object with '
                                                '"domains", "deny" and/or "policy"')
        known_members(entry, ("domains", "deny", "policy"), here)
        require(any(k in entry for k in ("domains", "deny", "policy")), here,
                 'needs "domains", "deny" or "policy"')
        for name, parse, out in (("domains", domain_grant, domains), ("deny", denied_actions, deny)):
            if name in entry:
                require(isinstance(entry[name], list), f"{here}.{name}", "must be a list")
                try:
                    out[key_id] = parse(entry[name])
                except ValueError as err:
                    raise ScenarioError(f"{here}: {err}") from None
        if "policy" in entry:
            policies[key_id] = load_policy(entry["policy"], f"{here}.policy")
    return domains, deny, policies
