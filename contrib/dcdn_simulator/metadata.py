"""The ECS instance metadata service (--ram-role): the IMDSv2 session
token, the instance's RAM role names, and each role's rotating STS
credentials, which the API then accepts until they expire; and its faults
(--metadata-fault)."""

import base64
import json
import re
import secrets
import threading
import time
import typing
import urllib.parse

from .auth import Authenticator, Credential
from .clock import Clock, format_api_time
from .request import ApiRequest, Reply, text_reply

METADATA_PREFIX = "/latest/"
METADATA_TOKEN_PATH = "/latest/api/token"
METADATA_ROLES_PATH = "/latest/meta-data/ram/security-credentials/"
METADATA_TOKEN_HEADER = "x-aliyun-ecs-metadata-token"
METADATA_TTL_HEADER = "x-aliyun-ecs-metadata-token-ttl-seconds"
METADATA_MAX_TOKEN_TTL = 21600
METADATA_FAULTS = ("down", "malformed", "no-role")
MALFORMED_CREDENTIALS = b'{"Code":"Success","AccessKeyId":'
ROLE_NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
DEFAULT_STS_LIFETIME = 3600
STS_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789"


def new_sts_credential(issued: int, lifetime: int) -> Credential:
    """A fresh STS triple shaped like the service's: an `STS.` key, a
    40-character secret, and a long base64 token (with + / =, which a client
    must percent-encode)."""
    def word(n):
        return "".join(secrets.choice(STS_ID_ALPHABET) for _ in range(n))
    token = "CAIS" + base64.b64encode(secrets.token_bytes(382)).decode()
    return Credential(f"STS.{word(25)}", word(40), token, expires_at=float(issued + lifetime))


class MetadataService:
    """The part of http://100.100.100.200 that the SDKs' credential chain
    reads: the IMDSv2 token, the instance's RAM role names, and each role's
    STS credentials.

    A role's credential is issued at a whole second (LastUpdated) and
    expires `lifetime` seconds later (Expiration).  A GET that finds the
    current one more than half-way through its life (or expired) issues a
    new one; the old one stays valid until its own Expiration.  Every issued
    credential is handed to the Authenticator, so the API accepts it.

    Faults: "down" resets every metadata connection, "malformed" truncates
    the credentials JSON, "no-role" detaches the roles (empty list, 404)."""

    def __init__(self, roles: typing.Iterable[str], lifetime: int = DEFAULT_STS_LIFETIME,
                 require_token: bool = False, fault: typing.Optional[str] = None):
        self.roles = list(dict.fromkeys(roles))
        self.lifetime = lifetime
        self.require_token = require_token
        self.fault = fault
        self.authenticator: typing.Optional[Authenticator] = None   # set by Simulator
        self.clock = Clock(time.time())                             # set by Simulator
        self._lock = threading.Lock()
        self._tokens: typing.Dict[str, float] = {}                  # token -> expires at
        self._current: typing.Dict[str, typing.Tuple[int, Credential]] = {}   # role -> (issued, cred)

    @staticmethod
    def serves(path: str) -> bool:
        return path.startswith(METADATA_PREFIX) or path == METADATA_PREFIX.rstrip("/")

    def handle(self, req: ApiRequest) -> Reply:
        """Order: the "down" fault, the token endpoint, the session token,
        the path, the method, then the answer."""
        if self.fault == "down":
            return Reply(0, b"", reset=True, fault="down")
        if req.path == METADATA_TOKEN_PATH:
            if req.method != "PUT":
                return text_reply(405, "Method Not Allowed")
            return self._issue_token(req)
        token = req.headers.get(METADATA_TOKEN_HEADER)
        if token is not None or self.require_token:
            with self._lock:
                expires = self._tokens.get(token or "")
            if expires is None or req.arrival >= expires:
                return text_reply(401, "Unauthorized")
        roles = [] if self.fault == "no-role" else self.roles
        if req.path in (METADATA_ROLES_PATH, METADATA_ROLES_PATH.rstrip("/")):
            if req.method != "GET":
                return text_reply(405, "Method Not Allowed")
            return text_reply(200, "\n".join(roles), "no-role" if self.fault == "no-role" else None)
        role = urllib.parse.unquote(req.path[len(METADATA_ROLES_PATH):]) \
            if req.path.startswith(METADATA_ROLES_PATH) else None
        if role is None or "/" in role:
            return text_reply(404, "Not Found")
        if req.method != "GET":
            return text_reply(405, "Method Not Allowed")
        if role not in roles:
            return text_reply(404, "Not Found", "no-role" if self.fault == "no-role" else None)
        if self.fault == "malformed":
            return Reply(200, MALFORMED_CREDENTIALS, fault="malformed")
        issued, cred = self._credential(role, self.clock.now())
        document = {
            "Code": "Success",
            "AccessKeyId": cred.key_id,
            "AccessKeySecret": cred.secret,
            "SecurityToken": cred.token,
            "Expiration": format_api_time(cred.expires_at),
            "LastUpdated": format_api_time(issued),
        }
        # Pretty-printed, with " : ", as the metadata service prints it.
        return Reply(200, json.dumps(document, indent=2, separators=(",", " : ")).encode())

    def _issue_token(self, req: ApiRequest) -> Reply:
        ttl = req.headers.get(METADATA_TTL_HEADER, "")
        if not re.fullmatch(r"\d{1,5}", ttl) or not 1 <= int(ttl) <= METADATA_MAX_TOKEN_TTL:
            return text_reply(400, f"{METADATA_TTL_HEADER} must be an integer from 1 to "
                                   f"{METADATA_MAX_TOKEN_TTL}")
        token = base64.b64encode(secrets.token_bytes(42)).decode()
        with self._lock:
            for old in [t for t, expires in self._tokens.items() if expires <= req.arrival]:
                del self._tokens[old]
            self._tokens[token] = req.arrival + int(ttl)
        return text_reply(200, token)

    def _credential(self, role: str, now: float) -> typing.Tuple[int, Credential]:
        with self._lock:
            current = self._current.get(role)
            if current is None or now - current[0] > self.lifetime / 2:
                issued = int(now)
                current = self._current[role] = (issued, new_sts_credential(issued, self.lifetime))
                if self.authenticator is not None:
                    self.authenticator.add(current[1])
            return current
