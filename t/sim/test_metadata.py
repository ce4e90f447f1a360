"""The ECS instance metadata service (--ram-role): the IMDSv2 token, the role
list, the credentials JSON, rotation at half-life, the API's acceptance of
issued credentials and its answer once they expire, 401 paths, the
--metadata-fault kinds and the record file; and --sts-expire-after for
static STS keys."""

import http.client
import json
import re
import time

import pytest

from simclient import launch
from dcdn_simulator.cli import parse_args
from dcdn_simulator.clock import parse_api_time

ROLES_PATH = "/latest/meta-data/ram/security-credentials/"
ROLE = "dcdn-poller"
METADATA = ["--ram-role", ROLE, "--ram-role", "backup-role"]
EXPIRED_MESSAGE = "The security token you provided has expired."
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


@pytest.fixture(scope="module")
def md_sim(tmp_path_factory):
    """One simulator for the tests that only read: starting one takes a
    while, and nothing here looks at its record file."""
    launched = int(time.time())
    sim = launch(tmp_path_factory.mktemp("md"), args=METADATA)
    sim.launched = launched
    yield sim
    assert sim.stop() == 0


def epoch(text):
    return parse_api_time(text)


def api_call(sim, cred, sig="v3", **kw):
    return sim.call(sig=sig, key=cred["AccessKeyId"], secret=cred["AccessKeySecret"],
                    token=cred["SecurityToken"], **kw)


def assert_text(resp, status):
    assert resp.status == status, resp
    assert resp.headers["Content-Type"].startswith("text/plain")


def assert_expired(resp):
    assert resp.status == 400, resp
    assert (resp.code, resp.json["Message"]) == ("InvalidSecurityToken.Expired", EXPIRED_MESSAGE)


def sleep_until(moment):
    time.sleep(max(0.0, moment - time.time()))


# -- token, role list, credentials ----------------------------------------------

def test_token_role_list_and_credentials_shape(md_sim):
    resp = md_sim.metadata_token()
    assert_text(resp, 200)
    token = resp.body.decode()
    assert len(token) >= 32 and token != md_sim.metadata_token().body.decode()

    for path in (ROLES_PATH, ROLES_PATH.rstrip("/")):
        listing = md_sim.metadata(path, token)
        assert_text(listing, 200)
        assert listing.body == b"dcdn-poller\nbackup-role"

    resp = md_sim.metadata(ROLES_PATH + ROLE, token)
    assert resp.status == 200 and resp.headers["Content-Type"].startswith("application/json")
    cred = resp.json
    assert list(cred) == ["Code", "AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration",
                          "LastUpdated"]
    assert cred["Code"] == "Success"
    assert re.fullmatch(r"STS\.[A-Za-z0-9]{20,}", cred["AccessKeyId"])
    assert len(cred["AccessKeySecret"]) >= 30 and len(cred["SecurityToken"]) >= 100
    assert TIME.fullmatch(cred["Expiration"]) and TIME.fullmatch(cred["LastUpdated"])
    issued = epoch(cred["LastUpdated"])
    assert md_sim.launched <= issued <= time.time()
    assert epoch(cred["Expiration"]) - issued == 3600
    # Before half-life the same credential comes back, with or without a token.
    assert md_sim.role_credentials(ROLE, token) == cred
    assert md_sim.role_credentials(ROLE) == cred
    # Each role has its own.
    other = md_sim.role_credentials("backup-role", token)
    assert other["AccessKeyId"] != cred["AccessKeyId"]


def test_unknown_paths_roles_and_methods(md_sim):
    assert_text(md_sim.metadata(ROLES_PATH + "no-such-role"), 404)
    assert_text(md_sim.metadata(ROLES_PATH + ROLE + "/more"), 404)
    assert_text(md_sim.metadata("/latest/meta-data/instance-id"), 404)
    assert_text(md_sim.metadata(ROLES_PATH + ROLE, method="PUT"), 405)
    assert_text(md_sim.metadata(ROLES_PATH, method="POST"), 405)
    assert_text(md_sim.metadata("/latest/api/token"), 405)


def test_token_ttl_must_be_1_to_21600(md_sim):
    for ttl in (None, "", "0", "21601", "abc", "-5", "1.5", "100000", "6,6"):
        assert_text(md_sim.metadata_token(ttl), 400)
    for ttl in ("1", "21600", "00300"):
        assert md_sim.metadata_token(ttl).status == 200


# -- IMDSv2 --------------------------------------------------------------------

def test_a_token_sent_must_be_issued_and_unexpired(md_sim):
    assert_text(md_sim.metadata(token="never-issued"), 401)
    assert_text(md_sim.metadata(ROLES_PATH + ROLE, token=""), 401)
    assert md_sim.metadata().status == 200          # IMDSv1: no token at all is answered
    short = md_sim.metadata_token("1").body.decode()
    assert md_sim.metadata(token=short).status == 200
    time.sleep(1.05)
    assert_text(md_sim.metadata(token=short), 401)
    assert_text(md_sim.metadata(ROLES_PATH + ROLE, token=short), 401)


def test_require_token_refuses_imdsv1(start_sim):
    sim = start_sim(args=METADATA + ["--metadata-require-token"])
    assert_text(sim.metadata(), 401)
    assert_text(sim.metadata(ROLES_PATH + ROLE), 401)
    token = sim.metadata_token().body.decode()      # the token endpoint itself needs none
    assert sim.metadata(token=token).body == b"dcdn-poller\nbackup-role"
    assert sim.role_credentials(ROLE, token)["Code"] == "Success"


# -- issued credentials in the API, rotation, expiry ----------------------------

def test_issued_credentials_are_accepted_by_the_api(md_sim):
    cred = md_sim.role_credentials(ROLE)
    for sig in ("v1", "v3"):   # the token's + / = must survive both encodings
        resp = api_call(md_sim, cred, sig, params={"PageSize": 1})
        assert resp.status == 200, (sig, resp)
        resp = md_sim.call(sig=sig, key=cred["AccessKeyId"], secret=cred["AccessKeySecret"], token="x")
        assert (resp.status, resp.code) == (400, "InvalidSecurityToken.Mismatch")
        resp = md_sim.call(sig=sig, key=cred["AccessKeyId"], secret=cred["AccessKeySecret"])
        assert (resp.status, resp.code) == (400, "InvalidSecurityToken.Mismatch")
    resp = md_sim.call(key=cred["AccessKeyId"], secret="wrong", token=cred["SecurityToken"])
    assert resp.code == "SignatureDoesNotMatch"


def test_rotation_at_half_life_and_expiry(start_sim):
    sim = start_sim(args=METADATA + ["--sts-lifetime", "4"])
    first = sim.role_credentials(ROLE)
    issued = epoch(first["LastUpdated"])
    assert epoch(first["Expiration"]) == issued + 4
    assert sim.role_credentials(ROLE) == first                # not yet half-way

    sleep_until(issued + 2.15)                                  # past half-life: a new one
    second = sim.role_credentials(ROLE)
    assert second["AccessKeyId"] != first["AccessKeyId"]
    assert second["SecurityToken"] != first["SecurityToken"]
    second_issued = epoch(second["LastUpdated"])
    assert second_issued >= issued + 2
    assert epoch(second["Expiration"]) == second_issued + 4
    assert api_call(sim, first).status == 200                   # the old one lasts its life
    assert api_call(sim, second).status == 200

    sleep_until(issued + 4.1)                                   # the first one's Expiration passed
    for sig in ("v1", "v3"):
        assert_expired(api_call(sim, first, sig))
    wrong = sim.call(key=first["AccessKeyId"], secret=first["AccessKeySecret"], token="nope")
    assert (wrong.status, wrong.code) == (400, "InvalidSecurityToken.Mismatch")
    assert api_call(sim, second).status == 200
    fresh = sim.role_credentials(ROLE)
    assert epoch(fresh["Expiration"]) > time.time()
    assert api_call(sim, fresh).status == 200


def test_static_sts_credentials_expire_after(start_sim):
    sim = start_sim(args=["--credentials", "STS.static:ssecret:stoken", "--credentials", "testid:testsecret",
                          "--sts-expire-after", "1"])
    sts = {"AccessKeyId": "STS.static", "AccessKeySecret": "ssecret", "SecurityToken": "stoken"}
    assert api_call(sim, sts).status == 200
    # Without --ram-role there is no metadata service: /latest/ is just a wrong API path.
    resp = sim.metadata(ROLES_PATH)
    assert (resp.status, resp.code) == (404, "InvalidAction.NotFound")
    time.sleep(1.05)     # the simulator started before launch() returned
    for sig in ("v1", "v3"):
        assert_expired(api_call(sim, sts, sig))
    wrong = sim.call(key="STS.static", secret="ssecret", token="other")
    assert wrong.code == "InvalidSecurityToken.Mismatch"
    assert sim.call().status == 200       # a long-term key never expires


# -- faults ---------------------------------------------------------------------

def test_fault_down_resets_every_metadata_connection(start_sim):
    sim = start_sim(args=METADATA + ["--metadata-fault", "down"])
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        sim.metadata_token()
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        sim.metadata(ROLES_PATH + ROLE)
    assert sim.call().status == 200       # the API is not affected
    records = sim.records()
    assert [(r["action"], r["status"], r["fault"]) for r in records] == \
        [("metadata", None, "down"), ("metadata", None, "down"), ("DescribeDcdnRefreshTasks", 200, None)]


def test_fault_malformed_truncates_the_credentials(start_sim):
    sim = start_sim(args=METADATA + ["--metadata-fault", "malformed"])
    assert sim.metadata().body == b"dcdn-poller\nbackup-role"
    resp = sim.metadata(ROLES_PATH + ROLE)
    assert resp.status == 200 and resp.body == b'{"Code":"Success","AccessKeyId":'
    with pytest.raises(json.JSONDecodeError):
        resp.json
    assert_text(sim.metadata(ROLES_PATH + "no-such-role"), 404)
    assert [r["fault"] for r in sim.records()] == [None, "malformed", None]


def test_fault_no_role(start_sim):
    sim = start_sim(args=METADATA + ["--metadata-fault", "no-role"])
    token = sim.metadata_token().body.decode()
    listing = sim.metadata(token=token)
    assert_text(listing, 200)
    assert listing.body == b""
    assert_text(sim.metadata(ROLES_PATH + ROLE, token), 404)


def test_scenario_faults_do_not_touch_the_metadata_service(start_sim):
    sim = start_sim({"faults": [{"kind": "reset", "times": 1}]}, args=METADATA)
    assert sim.metadata().status == 200
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        sim.call()


# -- record, rate limit, log ------------------------------------------------------

def test_metadata_requests_are_recorded_but_not_rate_limited(start_sim):
    sim = start_sim(args=METADATA, rate_limit="2")
    token = sim.metadata_token().body.decode()
    sim.metadata(token=token)
    cred = sim.role_credentials(ROLE, token)
    sim.metadata(token="bogus")
    assert [api_call(sim, cred).status for _ in range(2)] == [200, 200]
    assert sim.call().status == 200          # the STS key has its own budget
    assert api_call(sim, cred).status == 429
    records = sim.records()
    metadata = [r for r in records if r["action"] == "metadata"]
    assert [(r["method"], r["params"], r["status"]) for r in metadata] == [
        ("PUT", {"path": "/latest/api/token"}, 200),
        ("GET", {"path": ROLES_PATH}, 200),
        ("GET", {"path": ROLES_PATH + ROLE}, 200),
        ("GET", {"path": ROLES_PATH}, 401),
    ]
    assert all(r["key"] is None and r["sig"] is None and r["code"] is None for r in metadata)
    assert [r["key"] for r in records[4:]] == [cred["AccessKeyId"]] * 2 + ["testid", cred["AccessKeyId"]]
    assert sim.stop() == 0
    log = sim.log()
    assert "PUT metadata /latest/api/token -> 200" in log
    for secret in (token, cred["AccessKeySecret"], cred["SecurityToken"]):
        assert secret not in log


@pytest.mark.parametrize("args,message", [
    (["--sts-lifetime", "6"], "--sts-lifetime needs --ram-role"),
    (["--metadata-require-token"], "--metadata-require-token needs --ram-role"),
    (["--metadata-fault", "down"], "--metadata-fault needs --ram-role"),
    (["--ram-role", ROLE, "--metadata-fault", "flaky"], "invalid choice"),
    (["--ram-role", "a/b"], "RAM role name"),
    (["--ram-role", ROLE, "--sts-lifetime", "1"], "expected an integer >= 2"),
    (["--sts-expire-after", "5"], "--sts-expire-after needs a --credentials ID:SECRET:TOKEN"),
    (["--credentials", "STS.a:b:c", "--sts-expire-after", "0"], "expected a number"),
])
def test_bad_metadata_options_are_refused(capsys, args, message):
    with pytest.raises(SystemExit) as exit_:
        parse_args(args)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_a_bad_metadata_option_exits_2(tmp_path):
    proc = launch(tmp_path, args=["--sts-lifetime", "6"], expect_ready=False)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 2 and out == ""
    assert "--sts-lifetime needs --ram-role" in err
