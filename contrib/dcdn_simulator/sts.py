"""STS AssumeRole (2015-04-01), for --role: the roles that may be assumed
(each with the external id its trust policy asks for, if any), the API's
parameter rules, and the expiring credentials it issues, which the
Authenticator then accepts until they expire (as metadata.py's)."""

import dataclasses
import re
import threading
import typing

from .auth import Authenticator, Credential
from .clock import format_api_time
from .errors import ApiError, missing
from .metadata import new_sts_credential

STS_VERSION = "2015-04-01"
STS_ACTION = "AssumeRole"
ROLE_ARN_PATTERN = re.compile(r"acs:ram::(\d+):role/([^\s:]+)")
SESSION_NAME_PATTERN = re.compile(r"[A-Za-z0-9.@_-]{2,64}")
EXTERNAL_ID_PATTERN = re.compile(r"[\w+=,.@:/-]{2,1224}")
MIN_DURATION = 900
DEFAULT_DURATION = 3600
DEFAULT_MAX_DURATION = 3600     # a role's MaxSessionDuration by default
MAX_MAX_DURATION = 43200
MAX_POLICY = 2048


@dataclasses.dataclass(frozen=True)
class Role:
    arn: str
    external_id: typing.Optional[str] = None   # the trust policy's sts:ExternalId


def parse_role_spec(text: str) -> Role:
    """ARN[:EXTERNALID]; the ARN's role name holds no colon.  ValueError
    for anything else."""
    m = re.fullmatch(r"(acs:ram::\d+:role/[^\s:]+)(?::(.+))?", text)
    if not m:
        raise ValueError(f"expected acs:ram::ACCOUNT:role/NAME[:EXTERNALID], got {text!r}")
    if m.group(2) is not None and not EXTERNAL_ID_PATTERN.fullmatch(m.group(2)):
        raise ValueError("an external id is 2 to 1224 of A-Z a-z 0-9 _ + = , . @ : / -")
    return Role(m.group(1), m.group(2))


def invalid(name: str, message: str) -> ApiError:
    return ApiError(f"InvalidParameter.{name}", message, 400)


class StsService:
    """AssumeRole for the roles given; the caller has been authenticated
    (signature, token, nonce) with its base key.  Issued credentials last
    DurationSeconds, or `lifetime` seconds when that is shorter (tests
    watch a refresh without waiting 15 minutes)."""

    def __init__(self, roles: typing.Iterable[Role], max_duration: int = DEFAULT_MAX_DURATION,
                 lifetime: typing.Optional[int] = None):
        self.roles = {r.arn: r for r in roles}
        self.max_duration = max_duration
        self.lifetime = lifetime
        self.authenticator: typing.Optional[Authenticator] = None   # set by Simulator
        self._lock = threading.Lock()
        self.issued = 0

    def _check(self, params: dict) -> typing.Tuple[Role, str, int]:
        """The API's order: presence, then each parameter's form, then the
        role and its trust policy."""
        for name in ("RoleArn", "RoleSessionName"):
            if not params.get(name):
                raise missing(name)
        arn, session = params["RoleArn"], params["RoleSessionName"]
        if not ROLE_ARN_PATTERN.fullmatch(arn):
            raise invalid("RoleArn", "The parameter RoleArn is wrongly formed.")
        if not SESSION_NAME_PATTERN.fullmatch(session):
            raise invalid("RoleSessionName", "The parameter RoleSessionName is wrongly formed.")
        text = params.get("DurationSeconds", str(DEFAULT_DURATION))
        if not re.fullmatch(r"\d{1,6}", text) or not MIN_DURATION <= int(text) <= self.max_duration:
            raise invalid("DurationSeconds", f"The Min/Max value of DurationSeconds is "
                                             f"{MIN_DURATION}/{self.max_duration} seconds.")
        policy = params.get("Policy")
        if policy is not None and not 1 <= len(policy) <= MAX_POLICY:
            raise invalid("PolicySize", "The size of Policy must be smaller than 2048 bytes.")
        external = params.get("ExternalId")
        if external is not None and not EXTERNAL_ID_PATTERN.fullmatch(external):
            raise invalid("ExternalId", "The parameter ExternalId is wrongly formed.")
        role = self.roles.get(arn)
        if role is None:
            raise ApiError("EntityNotExist.Role", "The specified Role not exists .", 404)
        if role.external_id is not None and external != role.external_id:
            raise ApiError("NoPermission", "You are not authorized to do this action. "
                                           "You should be authorized by RAM.", 403)
        return role, session, int(text)

    def assume(self, caller: Credential, params: dict, now: float) -> dict:
        role, session, duration = self._check(params)
        issued = int(now)
        lifetime = min(duration, self.lifetime) if self.lifetime else duration
        cred = new_sts_credential(issued, lifetime)
        if self.authenticator is not None:
            self.authenticator.add(cred)
        with self._lock:
            self.issued += 1
        account = ROLE_ARN_PATTERN.fullmatch(role.arn).group(1)
        return {
            "AssumedRoleUser": {"Arn": f"{role.arn}/{session}",
                                "AssumedRoleId": f"3{account[1:]}{issued % 10000:04d}:{session}"},
            "Credentials": {
                "AccessKeyId": cred.key_id,
                "AccessKeySecret": cred.secret,
                "SecurityToken": cred.token,
                "Expiration": format_api_time(cred.expires_at),
            },
        }
