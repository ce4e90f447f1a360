"""STS AssumeRole (--role ARN[:EXTERNALID]): routed by Version 2015-04-01,
signed with the base key (V1 GET as the Python SDK, V1 POST with a form
as the Node and Go SDKs), the role and its external id checked, the
DurationSeconds rules, and the issued credentials, which the DCDN API
accepts until they expire (--role-lifetime); the record and log keep
no secret."""

import time

import pytest

from simclient import KEY, SECRET, launch
from dcdn_simulator.clock import parse_api_time

ROLE = "acs:ram::1234567890123456:role/dcdn-monitor"
GUARDED = "acs:ram::1234567890123456:role/guarded"
EXTERNAL = "ext-4711"
STS_ARGS = ["--role", ROLE, "--role", f"{GUARDED}:{EXTERNAL}", "--role-lifetime", "2"]


@pytest.fixture(scope="module")
def sts_sim(tmp_path_factory):
    sim = launch(tmp_path_factory.mktemp("sts"), args=STS_ARGS)
    yield sim
    assert sim.stop() == 0


def assume(sim, sig_method="GET", form=False, **params):
    params = {"RoleArn": ROLE, "RoleSessionName": "collectd-test", **params}
    params = {k: v for k, v in params.items() if v is not None}
    if form:
        return sim.call("AssumeRole", sig="v1", method="POST", version="2015-04-01", form=params)
    return sim.call("AssumeRole", params, sig="v1", method=sig_method, version="2015-04-01")


def test_assume_role_answers_expiring_credentials_the_api_accepts(sts_sim):
    resp = assume(sts_sim, DurationSeconds=900)
    assert resp.status == 200, resp
    body = resp.json
    assert body["AssumedRoleUser"]["Arn"] == f"{ROLE}/collectd-test"
    cred = body["Credentials"]
    assert cred["AccessKeyId"].startswith("STS.") and cred["SecurityToken"] and cred["AccessKeySecret"]
    expires = parse_api_time(cred["Expiration"])
    assert 0 < expires - time.time() <= 2      # --role-lifetime caps DurationSeconds
    ok = sts_sim.call(key=cred["AccessKeyId"], secret=cred["AccessKeySecret"],
                      token=cred["SecurityToken"])
    assert ok.status == 200, ok
    time.sleep(max(0.0, expires - time.time()) + 0.1)
    late = sts_sim.call(key=cred["AccessKeyId"], secret=cred["AccessKeySecret"],
                        token=cred["SecurityToken"])
    assert late.code == "InvalidSecurityToken.Expired"


def test_the_sdks_post_with_a_form_is_accepted(sts_sim):
    resp = assume(sts_sim, form=True, RoleArn=GUARDED, ExternalId=EXTERNAL, Policy='{"Version":"1"}')
    assert resp.status == 200, resp
    assert resp.json["Credentials"]["AccessKeyId"].startswith("STS.")


@pytest.mark.parametrize("params,status,code", [
    ({"RoleArn": "acs:ram::1234567890123456:role/nobody"}, 404, "EntityNotExist.Role"),
    ({"RoleArn": GUARDED}, 403, "NoPermission"),
    ({"RoleArn": GUARDED, "ExternalId": "ext-wrong"}, 403, "NoPermission"),
    ({"RoleArn": "arn:wrong"}, 400, "InvalidParameter.RoleArn"),
    ({"RoleSessionName": "x"}, 400, "InvalidParameter.RoleSessionName"),
    ({"RoleSessionName": None}, 400, "MissingRoleSessionName"),
    ({"RoleArn": None}, 400, "MissingRoleArn"),
    ({"DurationSeconds": 899}, 400, "InvalidParameter.DurationSeconds"),
    ({"DurationSeconds": 3601}, 400, "InvalidParameter.DurationSeconds"),
    ({"Policy": "p" * 2049}, 400, "InvalidParameter.PolicySize"),
])
def test_a_wrong_parameter_role_or_external_id_is_refused(sts_sim, params, status, code):
    resp = assume(sts_sim, **params)
    assert (resp.status, resp.code) == (status, code), resp


def test_the_signature_is_checked_with_the_base_key(sts_sim):
    resp = sts_sim.call("AssumeRole", {"RoleArn": ROLE, "RoleSessionName": "s1"}, sig="v1",
                        method="GET", version="2015-04-01", secret="wrong")
    assert resp.code == "SignatureDoesNotMatch"
    unknown = sts_sim.call("AssumeRole", {"RoleArn": ROLE, "RoleSessionName": "s1"}, sig="v1",
                           method="GET", version="2015-04-01", key="nobody")
    assert unknown.code == "InvalidAccessKeyId.NotFound"
    other = sts_sim.call("GetCallerIdentity", sig="v1", method="GET", version="2015-04-01")
    assert other.code == "InvalidAction.NotFound"


def test_an_assumed_role_may_assume_again_with_its_token(sts_sim):
    first = assume(sts_sim).json["Credentials"]
    again = sts_sim.call("AssumeRole", {"RoleArn": ROLE, "RoleSessionName": "chain"}, sig="v1",
                         method="GET", version="2015-04-01", key=first["AccessKeyId"],
                         secret=first["AccessKeySecret"], token=first["SecurityToken"])
    assert again.status == 200, again


def test_the_record_and_the_log_hold_no_issued_secret(tmp_path):
    sim = launch(tmp_path, args=["--role", ROLE])
    cred = assume(sim).json["Credentials"]
    sim.call(key=cred["AccessKeyId"], secret=cred["AccessKeySecret"], token=cred["SecurityToken"])
    assert sim.stop() == 0
    records = sim.records()
    assert records[0]["action"] == "AssumeRole" and records[0]["status"] == 200
    assert records[0]["params"]["RoleArn"] == ROLE
    for text in (sim.log(), (tmp_path / "record.jsonl").read_text()):
        assert cred["AccessKeySecret"] not in text and cred["SecurityToken"] not in text
        assert SECRET not in text


def test_without_role_sts_is_an_unknown_version(tmp_path):
    sim = launch(tmp_path)
    resp = assume(sim)
    assert resp.code == "InvalidVersion"
    assert sim.stop() == 0


@pytest.mark.parametrize("args", [["--role", "acs:ram::1:user/x"], ["--role-lifetime", "5"],
                                  ["--role", ROLE, "--role-max-duration", "50000"],
                                  ["--role", f"{ROLE}:x"]])
def test_bad_role_options_are_refused(tmp_path, args):
    proc = launch(tmp_path, args=args, expect_ready=False)
    assert proc.wait(timeout=10) == 2
