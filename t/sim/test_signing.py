"""The simulator's signing code against the published examples (facts file)."""

import simclient  # noqa: F401  (puts contrib/ on the import path)
from dcdn_simulator.auth import parse_credential
from dcdn_simulator.clock import format_api_time, parse_api_time
from dcdn_simulator.signing import (parse_v3_authorization, percent_encode, sha256_hex,
                                    v1_signature, v1_string_to_sign, v3_canonical_request,
                                    v3_signature, v3_string_to_sign)

V1_PARAMS = {
    "AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML",
    "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "SignatureVersion": "1.0", "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26",
}
V1_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26"
    "SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26"
    "SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26")

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
V3_HEADERS = {
    "host": "ecs.cn-shanghai.aliyuncs.com",
    "x-acs-action": "RunInstances",
    "x-acs-version": "2014-05-26",
    "x-acs-date": "2023-10-26T10:22:32Z",
    "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
    "x-acs-content-sha256": EMPTY_SHA256,
}
V3_QUERY = {"ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", "RegionId": "cn-shanghai"}
V3_SIGNED = "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"


def test_percent_encoding():
    assert percent_encode(" ~/*-+") == "%20~%2F%2A-%2B"
    assert percent_encode("a:b") == "a%3Ab"
    assert percent_encode("é") == "%C3%A9"          # UTF-8 bytes, uppercase hex
    assert percent_encode("AZaz09-_.~") == "AZaz09-_.~"


def test_v1_published_example():
    string_to_sign = v1_string_to_sign("GET", V1_PARAMS)
    assert string_to_sign == V1_STRING_TO_SIGN
    assert v1_signature("testsecret", string_to_sign) == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_v1_ignores_the_signature_parameter_itself():
    signed = dict(V1_PARAMS, Signature="whatever")
    assert v1_string_to_sign("GET", signed) == V1_STRING_TO_SIGN


def test_v3_published_example():
    assert sha256_hex(b"") == EMPTY_SHA256
    canonical = v3_canonical_request("POST", "/", V3_QUERY, V3_HEADERS,
                                     V3_SIGNED.split(";"), EMPTY_SHA256)
    assert canonical.split("\n")[-2] == V3_SIGNED
    assert sha256_hex(canonical.encode()) == \
        "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
    string_to_sign = v3_string_to_sign(canonical)
    assert string_to_sign == ("ACS3-HMAC-SHA256\n"
                              "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259")
    assert v3_signature("YourAccessKeySecret", string_to_sign) == \
        "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"


def test_v3_signed_header_order_does_not_matter():
    shuffled = list(reversed(V3_SIGNED.split(";")))
    a = v3_canonical_request("POST", "/", V3_QUERY, V3_HEADERS, shuffled, EMPTY_SHA256)
    b = v3_canonical_request("POST", "/", V3_QUERY, V3_HEADERS, V3_SIGNED.split(";"), EMPTY_SHA256)
    assert a == b


def test_parse_v3_authorization():
    auth = parse_v3_authorization(
        f"ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders={V3_SIGNED},Signature=abc")
    assert auth.algorithm == "ACS3-HMAC-SHA256"
    assert auth.credential == "YourAccessKeyId"
    assert auth.signed_headers == tuple(V3_SIGNED.split(";"))
    assert auth.signature == "abc"
    assert parse_v3_authorization("ACS3-HMAC-SHA256 Credential=x,Signature=abc") is None


def test_api_time_is_strict():
    assert parse_api_time("2016-02-23T12:46:24Z") == 1456231584
    for bad in ("2016-02-23T12:46:24", "2016-02-23 12:46:24Z", "2016-02-23T12:46:24.000Z",
                "2016-02-30T12:46:24Z", "2016-2-23T12:46:24Z", "2016-02-23T12:46:24+00:00", ""):
        assert parse_api_time(bad) is None, bad
    assert format_api_time(1456231584) == "2016-02-23T12:46:24Z"


def test_credentials_split_on_the_first_colon():
    c = parse_credential("id:secret")
    assert (c.key_id, c.secret, c.token) == ("id", "secret", None)
    c = parse_credential("STS.id:secret:tok:en")
    assert (c.key_id, c.secret, c.token) == ("STS.id", "secret", "tok:en")
