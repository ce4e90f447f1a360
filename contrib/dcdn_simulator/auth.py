"""Who is calling: the accepted credentials (long-term and STS keys, each
with its RAM entry), the gateway's checks of a signed request in the
service's order (pieces, key, timestamp, signature, STS token, nonce), the
nonce memory, and the per-key call rate."""

import collections
import dataclasses
import hmac
import threading
import typing

from .clock import parse_api_time
from .errors import ApiError, missing
from .ram import RamEntry
from .request import ApiRequest
from .signing import (V3_ALGORITHM, sha256_hex, v1_signature, v1_string_to_sign,
                      v3_canonical_request, v3_signature, v3_string_to_sign)

CLOCK_SKEW_LIMIT = 15 * 60      # seconds a request's timestamp may be off
NONCE_TTL = 15 * 60             # seconds a nonce stays "used"
V1_REQUIRED_PARAMS = ("AccessKeyId", "Signature", "SignatureMethod",
                      "SignatureVersion", "SignatureNonce", "Timestamp")
V3_REQUIRED_HEADERS = ("x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256")


@dataclasses.dataclass(frozen=True)
class Credential:
    key_id: str
    secret: str
    token: typing.Optional[str] = None   # set for STS credentials
    ram: RamEntry = RamEntry()           # default: full access
    expires_at: typing.Optional[float] = None   # epoch seconds; from then on InvalidSecurityToken.Expired


def parse_credential(text: str) -> Credential:
    """ID:SECRET or ID:SECRET:TOKEN; the ID ends at the first colon."""
    key_id, sep, rest = text.partition(":")
    secret, _, token = rest.partition(":")
    if not key_id or not sep or not secret:
        raise ValueError(f"credential must be ID:SECRET[:TOKEN], got {text.split(':')[0]}:...")
    return Credential(key_id, secret, token or None)


def grant_ram(credentials: typing.Iterable[Credential],
              entries: typing.Mapping[str, RamEntry]) -> typing.List[Credential]:
    """Attaches each key's RAM entry; KeyError names an entry for a key that
    is not accepted (surely a typo)."""
    credentials = list(credentials)
    unknown = set(entries) - {c.key_id for c in credentials}
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    return [dataclasses.replace(c, ram=entries.get(c.key_id, RamEntry())) for c in credentials]


class NonceBook:
    """Nonces seen per key in the last NONCE_TTL seconds."""

    def __init__(self):
        self._lock = threading.Lock()
        self._seen = set()
        self._expiry = collections.deque()   # (expires_at, (key, nonce)), in order

    def claim(self, key_id: str, nonce: str, now: float) -> bool:
        """True if the nonce was free (and is now taken)."""
        with self._lock:
            while self._expiry and self._expiry[0][0] <= now:
                self._seen.discard(self._expiry.popleft()[1])
            entry = (key_id, nonce)
            if entry in self._seen:
                return False
            self._seen.add(entry)
            self._expiry.append((now + NONCE_TTL, entry))
            return True


class Authenticator:
    """Checks a request's credentials the way the RPC gateway does, in its
    order: pieces present, key known, timestamp, signature, STS token (match,
    then expiry), nonce.  The nonce is only taken once everything else
    passed, so a rejected request does not burn it."""

    def __init__(self, credentials: typing.Iterable[Credential]):
        self._lock = threading.Lock()
        self.credentials = {c.key_id: c for c in credentials}
        self.nonces = NonceBook()

    def add(self, cred: Credential):
        """Accepts one more key from now on (STS credentials the metadata
        service issues); an expired one stays known, so it gets
        InvalidSecurityToken.Expired rather than InvalidAccessKeyId.NotFound."""
        with self._lock:
            self.credentials[cred.key_id] = cred

    def authenticate(self, req: ApiRequest) -> Credential:
        if req.sig == "v3":
            return self._authenticate_v3(req)
        return self._authenticate_v1(req)

    def _authenticate_v1(self, req: ApiRequest) -> Credential:
        for name in V1_REQUIRED_PARAMS:
            if not req.params.get(name):
                raise missing(name)
        if req.params["SignatureMethod"] != "HMAC-SHA1" or req.params["SignatureVersion"] != "1.0":
            raise ApiError("IncompleteSignature",
                           "The request signature does not conform to Aliyun standards: "
                           "SignatureMethod must be HMAC-SHA1 and SignatureVersion 1.0.")
        cred = self._credential(req.params["AccessKeyId"])
        self._check_timestamp(req.params["Timestamp"], req.now)
        string_to_sign = v1_string_to_sign(req.method, req.params)
        if not hmac.compare_digest(v1_signature(cred.secret, string_to_sign), req.params["Signature"]):
            raise signature_mismatch(string_to_sign)
        self._check_token(cred, req.params.get("SecurityToken"), req.now)
        self._claim_nonce(cred, req.params["SignatureNonce"], req.arrival)
        return cred

    def _authenticate_v3(self, req: ApiRequest) -> Credential:
        auth = req.authorization
        if auth is None:
            raise ApiError("IncompleteSignature", "The Authorization header must carry "
                           "Credential, SignedHeaders and Signature.")
        if auth.algorithm != V3_ALGORITHM:
            raise ApiError("IncompleteSignature", f"The signature algorithm {auth.algorithm} is not supported.")
        for name in V3_REQUIRED_HEADERS:
            if not req.headers.get(name):
                raise ApiError("IncompleteSignature", f"The header {name} is required.")
        required_signed = {"host"} | {h for h in req.headers if h.startswith("x-acs-")}
        unsigned = sorted(required_signed - set(auth.signed_headers))
        if unsigned:
            raise ApiError("IncompleteSignature", f"The header(s) {', '.join(unsigned)} must be signed.")
        cred = self._credential(auth.credential)
        self._check_timestamp(req.headers["x-acs-date"], req.now)
        body_hash = sha256_hex(req.body)
        if req.headers["x-acs-content-sha256"].lower() != body_hash:
            raise ApiError("SignatureDoesNotMatch", "The x-acs-content-sha256 header does not match "
                           "the SHA-256 of the request body.")
        canonical = v3_canonical_request(req.method, req.path, req.query, req.headers,
                                         auth.signed_headers, body_hash)
        string_to_sign = v3_string_to_sign(canonical)
        if not hmac.compare_digest(v3_signature(cred.secret, string_to_sign), auth.signature.lower()):
            raise signature_mismatch(string_to_sign, canonical)
        token = req.headers.get("x-acs-security-token", req.params.get("SecurityToken"))
        self._check_token(cred, token, req.now)
        self._claim_nonce(cred, req.headers["x-acs-signature-nonce"], req.arrival)
        return cred

    def _credential(self, key_id: str) -> Credential:
        with self._lock:
            cred = self.credentials.get(key_id)
        if cred is None:
            raise ApiError("InvalidAccessKeyId.NotFound")
        return cred

    @staticmethod
    def _check_timestamp(text: str, now: float):
        stamp = parse_api_time(text)
        if stamp is None:
            raise ApiError("InvalidTimeStamp.Format")
        if abs(now - stamp) > CLOCK_SKEW_LIMIT:
            raise ApiError("InvalidTimeStamp.Expired")

    @staticmethod
    def _check_token(cred: Credential, token: typing.Optional[str], now: float):
        # A long-term key ignores any token sent; an STS key needs its own,
        # and a wrong token is a mismatch even once the key has expired.
        if cred.token is not None and not hmac.compare_digest(cred.token, token or ""):
            raise ApiError("InvalidSecurityToken.Mismatch")
        if cred.expires_at is not None and now >= cred.expires_at:
            raise ApiError("InvalidSecurityToken.Expired")

    def _claim_nonce(self, cred: Credential, nonce: str, now: float):
        if not self.nonces.claim(cred.key_id, nonce, now):
            raise ApiError("SignatureNonceUsed")


def signature_mismatch(string_to_sign: str, canonical_request: str = None) -> ApiError:
    """The service's message shows its own StringToSign so a client can diff it."""
    message = f"Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
    if canonical_request is not None:
        message += f" canonical request is:{canonical_request}"
    return ApiError("SignatureDoesNotMatch", message)


class SlidingWindowLimiter:
    """At most `limit` accepted calls per key in any `window` seconds; a
    rejected call does not count."""

    def __init__(self, limit: float, window: float = 1.0):
        self.limit = limit
        self.window = window
        self._lock = threading.Lock()
        self._calls = collections.defaultdict(collections.deque)

    def admit(self, key_id: str, now: float) -> bool:
        if self.limit <= 0:
            return True
        with self._lock:
            calls = self._calls[key_id]
            while calls and calls[0] <= now - self.window:
                calls.popleft()
            if len(calls) + 1 > self.limit:
                return False
            calls.append(now)
            return True
