"""What passes between the HTTP server and the simulator: one request as
the gateway sees it before any check (ApiRequest, and classify_request,
which works out its signature scheme and claims), and one reply to send
(Reply, with the JSON and text helpers)."""

import dataclasses
import json
import typing
import urllib.parse

from .signing import V3Authorization, parse_v3_authorization

# Parameters every RPC call may carry that are not the action's own; they are
# left out of the record file's "params".
COMMON_PARAMS = frozenset({
    "Action", "Version", "Format", "AccessKeyId", "Signature", "SignatureMethod",
    "SignatureVersion", "SignatureNonce", "SignatureType", "Timestamp",
    "SecurityToken", "ResourceOwnerAccount",
})


@dataclasses.dataclass
class ApiRequest:
    """One HTTP request as the gateway sees it, before any check."""
    method: str
    path: str
    query: typing.Dict[str, str]
    params: typing.Dict[str, str]        # query merged with a form body
    headers: typing.Dict[str, str]       # lowercase name -> value
    body: bytes
    arrival: float                       # real epoch seconds
    sig: typing.Optional[str]            # "v1", "v3" or None
    key_id: typing.Optional[str]         # as claimed, not yet verified
    action: typing.Optional[str]
    version: typing.Optional[str]
    authorization: typing.Optional[V3Authorization] = None
    now: typing.Optional[float] = None   # the simulator's clock at arrival (Simulator.handle sets it)
    peer: typing.Optional[str] = None    # the client's IP address (the server sets it)

    def api_params(self) -> dict:
        return {k: v for k, v in self.params.items() if k not in COMMON_PARAMS}


def classify_request(method, path, query, headers, body, arrival) -> ApiRequest:
    """Works out which signature scheme a request uses and what it claims
    (key, action, version) without trusting any of it yet."""
    params = dict(query)
    if headers.get("content-type", "").lower().startswith("application/x-www-form-urlencoded"):
        params.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    auth_header = headers.get("authorization", "")
    if auth_header.split(" ", 1)[0].startswith("ACS3-"):
        auth = parse_v3_authorization(auth_header)
        return ApiRequest(method, path, query, params, headers, body, arrival, "v3",
                          auth.credential if auth else None,
                          headers.get("x-acs-action"), headers.get("x-acs-version"), auth)
    sig = "v1" if ("Signature" in params or "AccessKeyId" in params) else None
    return ApiRequest(method, path, query, params, headers, body, arrival, sig,
                      params.get("AccessKeyId"), params.get("Action"), params.get("Version"))


@dataclasses.dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json;charset=utf-8"
    request_id: str = ""
    code: typing.Optional[str] = None
    reset: bool = False                         # drop the connection instead
    reset_after_body_bytes: typing.Optional[int] = None
    trickle_seconds: float = 0.0                # spread the body over this long
    fault: typing.Optional[str] = None


def json_reply(status: int, document: dict, request_id: str, code=None) -> Reply:
    body = json.dumps(document, separators=(",", ":")).encode()
    return Reply(status, body, request_id=request_id, code=code)


def text_reply(status: int, text: str, fault: typing.Optional[str] = None) -> Reply:
    return Reply(status, text.encode(), "text/plain;charset=utf-8", fault=fault)
