"""Injected faults: what a scenario's "faults" entry may say (error
answers, broken bodies, delays, trickled bodies, connection resets, shifted
pages), which fault a request draws, and the reply it then gets.  Faults
stand for the network or the gateway in front of the API, so they act
before any check of the request."""

import base64
import dataclasses
import random
import threading
import time
import typing
import uuid

from .errors import ERRORS, error_body
from .request import ApiRequest, Reply, json_reply
from .validation import ScenarioError, known_members, number, optional_str, require

FAULT_KINDS = ("status", "body", "delay", "reset", "trickle", "shift")
# The task lists a "shift" fault moves (DCDN, CDN, ESA's two).
PAGED_LISTS = ("DescribeDcdnRefreshTasks", "DescribeRefreshTasks", "DescribePurgeTasks", "DescribePreloadTasks")


@dataclasses.dataclass
class Fault:
    kind: str
    start: float                    # seconds since simulator start, inclusive
    end: float                      # exclusive
    key: typing.Optional[str]
    action: typing.Optional[str]
    times: typing.Optional[int]     # None: unlimited
    http: int = 200
    code: str = ""
    message: str = ""
    body: bytes = b""
    content_type: str = ""
    seconds: float = 0.0
    body_bytes: typing.Optional[int] = None
    chance: float = 1.0
    count: int = 1
    applied: int = 0

    def matches(self, elapsed: float, key_id, action) -> bool:
        return (self.start <= elapsed < self.end
                and (self.key is None or self.key == key_id)
                and (self.action is None or self.action == action)
                and (self.times is None or self.applied < self.times))


def _fault_body(spec, where: str) -> bytes:
    """The raw body: "body" (text, sent as UTF-8) or "body_base64" (any
    bytes, such as invalid UTF-8), exactly one of them."""
    require(("body" in spec) != ("body_base64" in spec), where,
             'a "body" fault needs exactly one of "body" and "body_base64"')
    if "body" in spec:
        require(isinstance(spec["body"], str), where, '"body" must be a string')
        return spec["body"].encode()
    try:
        return base64.b64decode(spec["body_base64"], validate=True)
    except (TypeError, ValueError):
        raise ScenarioError(f'{where}: "body_base64" must be base64') from None


def load_fault(spec, where: str) -> Fault:
    require(isinstance(spec, dict), where, "must be an object")
    known_members(spec, ("kind", "from", "to", "key", "action", "times", "chance", "http", "code",
                          "message", "body", "body_base64", "content_type", "seconds", "body_bytes",
                          "count"), where)
    kind = spec.get("kind")
    require(kind in FAULT_KINDS, where, f'"kind" must be one of {", ".join(FAULT_KINDS)}')
    start = number(spec.get("from", float("-inf")), where, "from")
    end = number(spec.get("to", float("inf")), where, "to")
    times = spec.get("times")
    if times is not None:
        times = number(times, where, "times", integer=True)
    fault = Fault(kind, start, end, optional_str(spec, "key", where),
                  optional_str(spec, "action", where), times)
    fault.chance = number(spec.get("chance", 1.0), where, "chance")
    require(0 < fault.chance <= 1, where, '"chance" must be more than 0 and at most 1')
    if kind in ("status", "body"):
        fault.http = number(spec.get("http", 503 if kind == "status" else 200), where, "http", integer=True)
        require(100 <= fault.http <= 599, where, '"http" must be an HTTP status')
    if kind == "status":
        fault.code = spec.get("code", "ServiceUnavailable")
        require(isinstance(fault.code, str) and fault.code, where, '"code" must be a string')
        fault.message = spec.get("message") or ERRORS.get(fault.code, (0, fault.code))[1]
    elif kind == "body":
        fault.body = _fault_body(spec, where)
        fault.content_type = spec.get("content_type") or (
            "text/html" if fault.body.lstrip().startswith(b"<") else "application/json;charset=utf-8")
    elif kind in ("delay", "trickle"):
        fault.seconds = number(spec.get("seconds"), where, "seconds")
        require(fault.seconds >= 0, where, '"seconds" must not be negative')
    elif kind == "shift":
        fault.count = number(spec.get("count", 1), where, "count", integer=True)
        require(fault.count >= 1, where, '"count" must be at least 1')
    elif kind == "reset" and "body_bytes" in spec:
        fault.body_bytes = number(spec["body_bytes"], where, "body_bytes", integer=True)
    return fault


def applies(fault: Fault, req: ApiRequest) -> bool:
    # A shift moves pages after the first; on anything else it is no fault.
    if fault.kind != "shift":
        return True
    page = req.params.get("PageNumber", "")
    return req.action in PAGED_LISTS and page.isdigit() and int(page) > 1


class FaultPicker:
    """Draws the fault a request gets: the first of the scenario's faults
    that matches it (window, key, action, times left, and its chance)."""

    def __init__(self, faults: typing.List[Fault]):
        self.faults = faults
        self._lock = threading.Lock()
        self._rng = random.Random()     # for faults with a "chance"

    def take(self, req: ApiRequest, elapsed: float) -> typing.Optional[Fault]:
        """`elapsed`: real seconds since the simulator's start."""
        with self._lock:
            for fault in self.faults:
                if (fault.matches(elapsed, req.key_id, req.action) and applies(fault, req)
                        and (fault.chance >= 1 or self._rng.random() < fault.chance)):
                    fault.applied += 1
                    return fault
        return None


def faulty_reply(fault: Fault, req: ApiRequest, answer: typing.Callable[..., Reply],
                 error_source: typing.Tuple[str, ...] = ()) -> Reply:
    """The reply under `fault`; answer(req, page_shift=0) is the real one,
    which delay, shift, trickle and a partial reset send (altered);
    error_source: the product's (host, code) for a "status" fault's body."""
    if fault.kind == "delay":
        # A slow service: the request is counted by the rate limit and
        # answered when it arrives; the answer leaves after the wait.
        reply = answer(req)
        time.sleep(fault.seconds)
        return reply
    if fault.kind == "shift":
        return answer(req, page_shift=fault.count)
    if fault.kind == "trickle":
        reply = answer(req)
        reply.trickle_seconds = fault.seconds
        return reply
    if fault.kind == "reset":
        if fault.body_bytes is None:            # dropped before any processing
            return Reply(0, b"", reset=True)
        reply = answer(req)                     # dropped while the real answer is sent
        reply.reset, reply.reset_after_body_bytes = True, fault.body_bytes
        return reply
    request_id = str(uuid.uuid4()).upper()
    if fault.kind == "status":
        return json_reply(fault.http, error_body(fault.code, fault.message, request_id, *error_source),
                          request_id, fault.code)
    return Reply(fault.http, fault.body, fault.content_type, request_id)   # "body"
