"""The simulator proper, one request in and one reply out: the metadata
service or the API; a fault or, in the gateway's order, routing (the
product by the Version the request names, then its action),
authentication, flow control, RAM and the action; and the record file
(--record) with one log line per request."""

import json
import threading
import time
import typing
import uuid

from .actions import Call
from .auth import Authenticator, Credential, SlidingWindowLimiter
from .clock import Clock
from .errors import ApiError, error_body, missing
from .faults import FaultPicker, faulty_reply
from .metadata import MetadataService
from .products import DCDN, PRODUCTS, Product
from .request import ApiRequest, Reply, json_reply
from .scenario import Scenario
from .sts import STS_ACTION, STS_VERSION, StsService

API_VERSION = DCDN.version


class Recorder:
    """Appends one JSON line per request to --record FILE."""

    def __init__(self, path: typing.Optional[str]):
        self._file = open(path, "a", encoding="utf-8") if path else None
        self._lock = threading.Lock()

    def write(self, entry: dict):
        if self._file is None:
            return
        with self._lock:
            self._file.write(json.dumps(entry, separators=(",", ":")) + "\n")
            self._file.flush()

    def close(self):
        if self._file is not None:
            self._file.close()


class Simulator:
    """One request in, one reply out; the HTTP server in front of it only
    moves bytes."""

    def __init__(self, scenario: Scenario, credentials: typing.Iterable[Credential],
                 rate_limit: float = 5.0, throttle_code: str = "TooManyRequests",
                 recorder: typing.Optional[Recorder] = None, start: typing.Optional[float] = None,
                 log=None, metadata: typing.Optional[MetadataService] = None,
                 clock: typing.Optional[Clock] = None, sts: typing.Optional[StsService] = None):
        self.start = time.time() if start is None else start
        self.clock = clock or Clock(self.start)
        self.scenario = scenario
        self.auth = Authenticator(credentials)
        self.metadata = metadata
        if metadata is not None:
            metadata.authenticator = self.auth      # issued STS keys become accepted keys
            metadata.clock = self.clock
        self.sts = sts
        if sts is not None:
            sts.authenticator = self.auth           # the roles' keys too
        self.limiter = SlidingWindowLimiter(rate_limit)
        self.throttle_code = throttle_code
        self.recorder = recorder or Recorder(None)
        self.log = log or (lambda line: None)
        self.faults = FaultPicker(scenario.faults)

    def handle(self, req: ApiRequest) -> Reply:
        req.now = self.clock.at(req.arrival)
        if self.metadata is not None and self.metadata.serves(req.path):
            # Not the API: no scenario faults, no rate limit; recorded all the same.
            reply = self.metadata.handle(req)
            self._record(req, reply, metadata=True)
            return reply
        fault = self.faults.take(req, req.arrival - self.start)
        if fault is None:
            reply = self._answer(req)
        else:
            product = PRODUCTS.get(req.version, DCDN)
            reply = faulty_reply(fault, req, self._answer, (product.host, product.code))
            reply.fault = fault.kind
        self._record(req, reply)
        return reply

    def _answer(self, req: ApiRequest, page_shift: int = 0) -> Reply:
        request_id = str(uuid.uuid4()).upper()
        try:
            document = self._dispatch(req, page_shift)
        except ApiError as err:
            product = PRODUCTS.get(req.version, DCDN)
            return json_reply(err.status, error_body(err.code, err.message, request_id,
                                                     product.host, product.code),
                              request_id, err.code)
        return json_reply(200, {"RequestId": request_id, **document}, request_id)

    def _dispatch(self, req: ApiRequest, page_shift: int = 0) -> dict:
        """Gateway order: route (path, action, version), authenticate,
        flow control, RAM, then the handler with the action's own parameter
        checks.  A call refused by RAM or by a parameter rule has passed
        flow control, so it counts toward the rate."""
        if req.path != "/" or req.method not in ("GET", "POST"):
            raise ApiError("InvalidAction.NotFound")
        if not req.action:
            raise missing("Action")
        if not req.version:
            raise missing("Version")
        if req.version == STS_VERSION and self.sts is not None:
            return self._dispatch_sts(req)
        product = PRODUCTS.get(req.version)
        if product is None:
            raise ApiError("InvalidVersion")
        handler = product.actions.get(req.action)
        if handler is None:
            raise ApiError("InvalidAction.NotFound")
        cred = self.auth.authenticate(req)
        # Each product's gateway has its own flow control: a key's rate is per product.
        limited = cred.key_id if product is DCDN else (product.name, cred.key_id)
        if not self.limiter.admit(limited, req.arrival):
            raise ApiError(product.throttle_code or self.throttle_code)
        return self._call(product, handler, cred, req, page_shift)

    def _call(self, product: Product, handler, cred: Credential, req: ApiRequest, page_shift: int) -> dict:
        resources, grant_names = product.resources(req.action, req.params, self.scenario)
        if not cred.ram.allows(req.action, resources, product.ram, grant_names):
            raise ApiError("Forbidden.RAM")      # RAM comes before the action's parameter rules
        return handler(Call(self.clock.now(), cred.key_id, self.scenario, cred.ram.domains, page_shift,
                            product.name), req.params)

    def _dispatch_sts(self, req: ApiRequest) -> dict:
        """STS, another service behind the same gateway checks: its one
        action, the caller's signature with its base key, then the role.
        No rate limit or RAM: those are the products' APIs'."""
        if req.action != STS_ACTION:
            raise ApiError("InvalidAction.NotFound")
        cred = self.auth.authenticate(req)
        return self.sts.assume(cred, req.params, self.clock.now())

    def _record(self, req: ApiRequest, reply: Reply, metadata: bool = False):
        self.recorder.write({
            "t": req.arrival,
            "key": None if metadata else req.key_id,
            "action": "metadata" if metadata else req.action,
            "product": None if metadata else PRODUCTS[req.version].name if req.version in PRODUCTS else None,
            "method": req.method,
            "sig": None if metadata else req.sig,
            "params": {"path": req.path} if metadata else req.api_params(),
            "status": None if reply.reset else reply.status,
            "code": None if reply.reset else reply.code,
            "fault": reply.fault,
            "peer": req.peer,
        })
        outcome = "reset" if reply.reset else f"{reply.status} {reply.code or 'OK'}"
        fault = f" fault={reply.fault}" if reply.fault else ""
        if metadata:    # the path names a role at most; tokens are never logged
            self.log(f"{req.method} metadata {req.path} -> {outcome}{fault}")
        else:
            self.log(f"{req.method} {req.action or '-'} key={req.key_id or '-'} sig={req.sig or '-'} "
                     f"-> {outcome}{fault}")
