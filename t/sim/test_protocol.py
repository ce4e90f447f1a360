"""Gateway behaviour: both signature versions over GET and POST, and every
authentication and routing error with its HTTP status."""

import time
import uuid

from simclient import api_time
from dcdn_simulator.signing import v1_signature, v1_string_to_sign

LIST = "DescribeDcdnRefreshTasks"
SIGS = ("v1", "v3")
TWO_KEYS = ["--credentials", "testid:testsecret", "--credentials", "other:othersecret"]
STS = ["--credentials", "STS.abc:stssecret:the-token", "--credentials", "testid:testsecret"]


def assert_error(resp, status, code):
    assert resp.status == status, resp
    body = resp.json
    assert body["Code"] == code, resp
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert resp.headers["Content-Type"].startswith("application/json")
    return body


def test_signed_calls_are_accepted_over_get_and_post(sim):
    for sig in SIGS:
        for method in ("GET", "POST"):
            resp = sim.call(params={"PageSize": 5}, sig=sig, method=method)
            assert resp.status == 200, (sig, method, resp)
            assert resp.headers["Content-Type"].startswith("application/json")
            body = resp.json
            assert list(body) == ["RequestId", "PageNumber", "PageSize", "TotalCount", "Tasks"]
            assert resp.headers["x-acs-request-id"] == body["RequestId"]
            assert body["PageSize"] == 5 and len(body["Tasks"]["Task"]) == 5
        # Parameters may also come in a form body, merged with the query.
        resp = sim.call(params={"ObjectType": "file"}, form={"PageSize": 2}, sig=sig)
        assert resp.status == 200, (sig, resp)
        assert resp.json["PageSize"] == 2
        assert {t["ObjectType"] for t in resp.json["Tasks"]["Task"]} == {"file"}


def test_record_names_the_signature_version(sim):
    sim.call(sig="v1", method="GET", params={"PageSize": 1})
    sim.call(sig="v3", params={"PageSize": 1})
    sim.raw("GET", "/?Action=DescribeDcdnRefreshTasks&Version=2018-01-15")
    records = sim.records()
    assert [(r["sig"], r["method"]) for r in records] == [("v1", "GET"), ("v3", "POST"), (None, "GET")]
    # Common and signature parameters stay out of "params".
    assert records[0]["params"] == {"PageSize": "1"}
    assert records[0]["key"] == "testid" and records[2]["key"] is None
    assert records[2]["code"] == "MissingAccessKeyId"


def test_unknown_key_and_wrong_secret(sim):
    for sig, expected in (("v1", "POST&%2F&"), ("v3", "ACS3-HMAC-SHA256\n")):
        assert_error(sim.call(sig=sig, key="nosuchkey"), 404, "InvalidAccessKeyId.NotFound")
        body = assert_error(sim.call(sig=sig, secret="wrong"), 400, "SignatureDoesNotMatch")
        # The service shows its own StringToSign so a client can compare.
        assert f"server string to sign is:{expected}" in body["Message"]
        assert body["HostId"] == "dcdn.aliyuncs.com"
        assert body["RequestId"] in body["Recommend"]


def test_tampering_breaks_the_signature(sim):
    def change_page_size(query, headers):
        query["PageSize"] = "6"

    def signed_as_get(query, headers):   # and then sent as POST
        query["Signature"] = v1_signature("testsecret", v1_string_to_sign("GET", query))

    for sig in SIGS:
        resp = sim.call(sig=sig, params={"PageSize": 5}, after_signing=change_page_size)
        assert_error(resp, 400, "SignatureDoesNotMatch")
    assert_error(sim.call(sig="v1", method="POST", after_signing=signed_as_get), 400, "SignatureDoesNotMatch")
    resp = sim.call(form={"PageSize": 3},
                    after_signing=lambda q, h: h.update({"x-acs-content-sha256": "0" * 64}))
    body = assert_error(resp, 400, "SignatureDoesNotMatch")
    assert "x-acs-content-sha256" in body["Message"]


def test_v3_host_and_every_acs_header_must_be_signed(sim):
    signed = ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce"]
    body = assert_error(sim.call(signed_headers=signed), 400, "IncompleteSignature")
    assert "x-acs-version" in body["Message"]
    body = assert_error(sim.call(signed_headers=signed[1:] + ["x-acs-version"]), 400, "IncompleteSignature")
    assert "host" in body["Message"]
    resp = sim.call(after_signing=lambda q, h: h.update({"x-acs-extra": "1"}))
    assert_error(resp, 400, "IncompleteSignature")
    # ...and an extra one is fine when signed.
    assert sim.call(extra_headers={"x-acs-extra": "1"}).status == 200


def test_v3_incomplete_signature(sim):
    def other_algorithm(query, headers):
        headers["authorization"] = headers["authorization"].replace("ACS3-HMAC-SHA256", "ACS3-HMAC-SM3")
    body = assert_error(sim.call(after_signing=other_algorithm), 400, "IncompleteSignature")
    assert "ACS3-HMAC-SM3" in body["Message"]
    resp = sim.call(after_signing=lambda q, h: h.update({"authorization": "ACS3-HMAC-SHA256 Credential=testid"}))
    assert_error(resp, 400, "IncompleteSignature")
    for header in ("x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"):
        body = assert_error(sim.call(drop=[header]), 400, "IncompleteSignature")
        assert header in body["Message"]


def test_v1_missing_or_unsupported_signature_pieces(sim):
    for param in ("AccessKeyId", "Signature", "SignatureNonce", "Timestamp",
                  "SignatureMethod", "SignatureVersion"):
        body = assert_error(sim.call(sig="v1", drop=[param]), 400, f"Missing{param}")
        assert param in body["Message"]
    resp = sim.call(sig="v1", after_signing=lambda q, h: q.update(SignatureMethod="HMAC-SHA256"))
    assert_error(resp, 400, "IncompleteSignature")
    # No signature of any kind.
    assert_error(sim.raw("GET", f"/?Action={LIST}&Version=2018-01-15"), 400, "MissingAccessKeyId")


def test_nonces(start_sim):
    sim = start_sim(args=TWO_KEYS)
    for sig in SIGS:
        nonce = uuid.uuid4().hex
        assert sim.call(sig=sig, nonce=nonce).status == 200
        assert_error(sim.call(sig=sig, nonce=nonce), 400, "SignatureNonceUsed")
        # A nonce is per key.
        assert sim.call(sig=sig, nonce=nonce, key="other", secret="othersecret").status == 200
        # A rejected request does not burn its nonce.
        fresh = uuid.uuid4().hex
        assert_error(sim.call(sig=sig, nonce=fresh, secret="wrong"), 400, "SignatureDoesNotMatch")
        assert sim.call(sig=sig, nonce=fresh).status == 200


def test_timestamps(sim):
    for sig in SIGS:
        for offset in (-16 * 60, 16 * 60):
            resp = sim.call(sig=sig, timestamp=api_time(time.time() + offset))
            assert_error(resp, 400, "InvalidTimeStamp.Expired")
        for offset in (-14 * 60, 14 * 60):
            assert sim.call(sig=sig, timestamp=api_time(time.time() + offset)).status == 200
        for stamp in ("2024-01-01 00:00:00", "2024-01-01T00:00:00.000Z", "1700000000"):
            assert_error(sim.call(sig=sig, timestamp=stamp), 400, "InvalidTimeStamp.Format")


def test_routing_errors(sim):
    for sig in SIGS:
        body = assert_error(sim.call(sig=sig, version="2014-11-11"), 400, "InvalidVersion")
        assert "Version" in body["Message"]
        body = assert_error(sim.call("DescribeDcdnNothing", sig=sig), 404, "InvalidAction.NotFound")
        assert body["Message"] == "Specified api is not found, please check your url and method."
    assert_error(sim.call(path="/v1/tasks"), 404, "InvalidAction.NotFound")
    assert_error(sim.raw("PUT", "/"), 404, "InvalidAction.NotFound")


def test_sts_key_needs_its_token_and_a_long_term_key_ignores_one(start_sim):
    sim = start_sim(args=STS)
    for sig in SIGS:
        assert sim.call(sig=sig, key="STS.abc", secret="stssecret", token="the-token").status == 200
        assert_error(sim.call(sig=sig, key="STS.abc", secret="stssecret", token="old-token"),
                     400, "InvalidSecurityToken.Mismatch")
        assert_error(sim.call(sig=sig, key="STS.abc", secret="stssecret"), 400, "InvalidSecurityToken.Mismatch")
        assert sim.call(sig=sig, token="anything").status == 200


def test_default_credentials_only_without_credentials_option(start_sim):
    sim = start_sim(args=["--credentials", "mine:minesecret"])
    assert sim.call(key="mine", secret="minesecret").status == 200
    assert sim.call().status == 404


def test_keep_alive_connection_serves_several_requests(sim):
    conn = sim.connection()
    try:
        for _ in range(3):
            conn.request("GET", f"/?Action={LIST}&Version=2018-01-15")
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 400
    finally:
        conn.close()
