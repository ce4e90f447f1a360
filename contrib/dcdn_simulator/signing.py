"""Percent-encoding and the two signature schemes the service checks: V1
(HMAC-SHA1 over the sorted query) and V3 (ACS3-HMAC-SHA256 over a canonical
request), plus the parser of a V3 Authorization header.  Pure functions:
the tests check them against the published examples."""

import base64
import dataclasses
import hashlib
import hmac
import typing
import urllib.parse

V3_ALGORITHM = "ACS3-HMAC-SHA256"


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud signs it: only A-Z a-z 0-9 - _ . ~
    stay literal, everything else is %XX of the UTF-8 bytes, uppercase hex
    (so a space is %20, never +)."""
    return urllib.parse.quote(value, safe="-_.~", encoding="utf-8")


def canonical_query(params: typing.Mapping[str, str]) -> str:
    """Parameters sorted by name, each enc(name)=enc(value), joined by &."""
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}"
                    for k, v in sorted(params.items()))


def v1_string_to_sign(method: str, params: typing.Mapping[str, str]) -> str:
    signed = {k: v for k, v in params.items() if k != "Signature"}
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonical_query(signed))}"


def v1_signature(secret: str, string_to_sign: str) -> str:
    digest = hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def v3_canonical_request(method: str, path: str, query: typing.Mapping[str, str],
                         headers: typing.Mapping[str, str],
                         signed_headers: typing.Sequence[str], payload_hash: str) -> str:
    """headers maps lowercase names to values; a signed header the request
    lacks counts as empty (the signature then simply fails to match)."""
    names = sorted(h.lower() for h in signed_headers)
    canonical_headers = "".join(f"{n}:{headers.get(n, '').strip()}\n" for n in names)
    return "\n".join([method.upper(), path, canonical_query(query), canonical_headers,
                      ";".join(names), payload_hash])


def v3_string_to_sign(canonical_request: str) -> str:
    return f"{V3_ALGORITHM}\n{sha256_hex(canonical_request.encode())}"


def v3_signature(secret: str, string_to_sign: str) -> str:
    return hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


@dataclasses.dataclass(frozen=True)
class V3Authorization:
    algorithm: str
    credential: str
    signed_headers: typing.Tuple[str, ...]
    signature: str


def parse_v3_authorization(value: str) -> typing.Optional[V3Authorization]:
    """`ACS3-HMAC-SHA256 Credential=ID,SignedHeaders=a;b,Signature=hex`, or None
    when a piece is missing."""
    algorithm, _, rest = value.strip().partition(" ")
    fields = {}
    for part in rest.split(","):
        name, sep, val = part.strip().partition("=")
        if sep:
            fields[name.strip()] = val.strip()
    if not all(fields.get(f) for f in ("Credential", "SignedHeaders", "Signature")):
        return None
    signed = tuple(h.strip().lower() for h in fields["SignedHeaders"].split(";") if h.strip())
    return V3Authorization(algorithm, fields["Credential"], signed, fields["Signature"])
