"""AssumeRole (ram_role_arn) with the real collectd and the simulator's
STS: the role from the configuration, from a ram_role_arn profile of the
credentials file and from the SDKs' environment variables; its credentials
refreshed before they expire and at once on InvalidSecurityToken.Expired;
a wrong role or external id as one clear line per poll; and no secret or
token of the base key or the role in collectd's log or the simulator's."""

import time

import pytest

from accounts import account_block
from harness import Collectd, wait_for

ROLE = "acs:ram::1234567890123456:role/dcdn-monitor"
GUARDED = "acs:ram::1234567890123456:role/guarded"
EXTERNAL = "ext-4711"
BASE = "baseid:basesecret"
LIST = "DescribeDcdnRefreshTasks"
COUNT = "dcdn-a.example.com/count-file-complete"
TASKS = {"tasks": [{"id": "1", "path": "http://a.example.com/x", "type": "file",
                    "created": -60}]}


def sts_simulator(start_simulator, lifetime="30", args=()):
    return start_simulator(scenario=TASKS, credentials=(BASE,),
                           args=["--role", ROLE, "--role", f"{GUARDED}:{EXTERNAL}",
                                 "--role-lifetime", lifetime, *args])


def block(sim, credentials):
    return account_block("prod", sim, domains=["a.example.com"],
                         credentials=f'{credentials}\nSTSEndpoint "{sim.url}"')


def assert_no_secret_logged(sim, daemon):
    """The base secret and any STS token (the simulator's all start CAIS)
    are in neither log; the role's secrets are never echoed by either."""
    for log in (daemon.log(), (sim.workdir / "sim.log").read_text()):
        assert "basesecret" not in log
        assert "CAIS" not in log, "an STS token reached a log"


def assert_assumed_and_polled(sim, daemon, session):
    wait_for(lambda: len(daemon.rows(COUNT)) >= 1, timeout=20, what="a successful poll")
    [first, *_] = sim.records("AssumeRole")
    assert (first["key"], first["status"], first["sig"]) == ("baseid", 200, "v1")
    assert first["params"]["RoleArn"] in (ROLE, GUARDED)
    assert first["params"]["RoleSessionName"] == session
    calls = sim.records(LIST)
    assert calls and all(c["key"].startswith("STS.") and c["status"] == 200 for c in calls)
    assert daemon.log_lines(f'assumed role {first["params"]["RoleArn"]} (session {session})')
    assert not daemon.log_lines("[error]")
    assert_no_secret_logged(sim, daemon)


def test_the_configured_role_is_assumed_and_refreshed_before_it_expires(start_simulator,
                                                                        start_collectd):
    sim = sts_simulator(start_simulator, lifetime="4")
    daemon = start_collectd(block(sim, (
        f'AccessKeyId "baseid"\nAccessKeySecret "basesecret"\nRoleArn "{GUARDED}"\n'
        f'RoleSessionName "collectd-prod"\nExternalId "{EXTERNAL}"\n'
        'Policy "{\\"Version\\":\\"1\\",\\"Statement\\":[]}"\nDurationSeconds 900')))
    # Four-second credentials are refreshed half-way: three keys in ~5 s.
    wait_for(lambda: len({r["key"] for r in sim.records(LIST)}) >= 3, timeout=20,
             what="three keys of the role")
    assert_assumed_and_polled(sim, daemon, "collectd-prod")
    first = sim.records("AssumeRole")[0]["params"]
    assert (first["ExternalId"], first["DurationSeconds"]) == (EXTERNAL, "900")
    assert first["Policy"] == '{"Version":"1","Statement":[]}'
    assert not [r for r in sim.records(LIST) if r["code"] == "InvalidSecurityToken.Expired"]


def test_a_ram_role_arn_profile_assumes_its_role(tmp_path, start_simulator, start_collectd):
    sim = sts_simulator(start_simulator)
    ini = tmp_path / "credentials"
    ini.write_text("[assume]\ntype = ram_role_arn\naccess_key_id = baseid\n"
                   f"access_key_secret = basesecret\nrole_arn = {ROLE}\n"
                   "role_session_name = from-ini\n")
    ini.chmod(0o600)
    daemon = start_collectd(block(sim, f'CredentialsFile "{ini}"\nProfile "assume"'))
    assert_assumed_and_polled(sim, daemon, "from-ini")


def test_the_environment_names_the_role_of_the_default_chain(start_simulator, start_collectd):
    sim = sts_simulator(start_simulator)
    daemon = start_collectd(block(sim, ""), env={
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "baseid", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "basesecret",
        "ALIBABA_CLOUD_ROLE_ARN": ROLE, "ALIBABA_CLOUD_ROLE_SESSION_NAME": "from-env"})
    assert_assumed_and_polled(sim, daemon, "from-env")


def assert_no_failure(daemon):
    """No error line and no health FAILURE (the logfile plugin logs every
    notification)."""
    assert not daemon.log_lines("[error]"), daemon.log_lines("[error]")
    assert not daemon.log_lines("Notification: severity = FAILURE")


def test_a_role_key_is_renewed_on_the_apis_clock(start_simulator, start_collectd):
    # The API's clock runs 60 s ahead of this host's: the Expiration STS
    # writes (3 s on, on that clock) lies 57 s ahead by this host's. Read on
    # the API's clock (its answers' Date), the key is asked for anew
    # half-way through its 3 s, never used expired.
    sim = sts_simulator(start_simulator, lifetime="3", args=["--clock-offset", "60"])
    daemon = start_collectd(block(sim, (
        f'AccessKeyId "baseid"\nAccessKeySecret "basesecret"\nRoleArn "{ROLE}"')))
    wait_for(lambda: len(sim.records("AssumeRole")) >= 5, timeout=20,
             what="five keys of the role")
    assert not [r for r in sim.records(LIST) if r["code"] == "InvalidSecurityToken.Expired"]
    assert all(r["status"] == 200 for r in sim.records(LIST))
    assert_no_failure(daemon)
    assert_no_secret_logged(sim, daemon)


# The API's clock jumps 120 s ahead 4 s in: a key good for 30 s (on the
# clock it had) is expired at once, and only the API's answer can tell.
STEP = {**TASKS, "clock": [{"from": 4, "offset": 120}]}
RAM_ROLE = "dcdn-ecs"


@pytest.mark.parametrize("source", ["RoleArn", "RamRole"])
def test_an_expired_token_is_replaced_at_once(start_simulator, start_collectd, source):
    """InvalidSecurityToken.Expired: the key is renewed (AssumeRole, or the
    metadata service) and the same call sent again at once, within the
    poll: no error line, no FAILURE, the poll's values."""
    if source == "RoleArn":
        sim = start_simulator(scenario=STEP, credentials=(BASE,),
                              args=["--role", ROLE, "--role-lifetime", "30"])
        config = block(sim, f'AccessKeyId "baseid"\nAccessKeySecret "basesecret"\n'
                            f'RoleArn "{ROLE}"')
        renewal = "AssumeRole"
    else:
        sim = start_simulator(scenario=STEP, args=["--ram-role", RAM_ROLE,
                                                   "--sts-lifetime", "30"])
        config = account_block("prod", sim, domains=["a.example.com"],
                               credentials=f'RamRole "{RAM_ROLE}"\n'
                                           f'MetadataEndpoint "{sim.url}"')
        renewal = "metadata"
    daemon = start_collectd(config)
    def expired_then_ok():
        records = sim.records()
        at = next((i for i, r in enumerate(records)
                   if r["code"] == "InvalidSecurityToken.Expired"), None)
        later = [] if at is None else [r for r in records[at + 1:] if r["action"] == LIST]
        return any(r["status"] == 200 for r in later) and (records, at)
    records, at = wait_for(expired_then_ok, timeout=20, what="an expired token, then a new key")
    expired = records[at]
    retry = next(i for i in range(at + 1, len(records)) if records[i]["action"] == LIST)
    assert records[at + 1]["action"] == renewal, "the next call asks for a new key"
    assert {r["action"] for r in records[at + 1:retry]} == {renewal}
    again = records[retry]
    assert (again["action"], again["params"], again["status"]) == \
        (expired["action"], expired["params"], 200), "the same call, sent again"
    assert again["key"] != expired["key"]
    assert again["t"] - expired["t"] < 2, "at once, not at the next poll"
    if source == "RoleArn":
        assert records[at + 1]["params"]["RoleSessionName"].startswith("collectd-dcdn-")
    time.sleep(1.5)  # a poll more: still nothing failed
    assert_no_failure(daemon)
    assert len(daemon.rows(COUNT)) >= 1
    assert_no_secret_logged(sim, daemon)


@pytest.mark.parametrize("role,code", [
    ("acs:ram::1234567890123456:role/nobody", "EntityNotExist.Role"),
    (f'{GUARDED}"\nExternalId "ext-wrong', "NoPermission"),
])
def test_a_wrong_role_or_external_id_gives_one_clear_line_per_poll(start_simulator,
                                                                   start_collectd, role, code):
    sim = sts_simulator(start_simulator)
    daemon = start_collectd(block(sim, (
        f'AccessKeyId "baseid"\nAccessKeySecret "basesecret"\nRoleArn "{role}"')))
    lines = wait_for(lambda: len(l := daemon.log_lines("[error]")) >= 2 and l, timeout=20,
                     what="two failed polls")
    assert all("AssumeRole of role" in line and f'Code "{code}"' in line for line in lines), lines
    assert 'account "prod"' in lines[0] and sim.url in lines[0]
    # Three polls without credentials: the account's health FAILURE, which
    # says why (the role, STS, its Code), not that the API is unreachable.
    [failure] = wait_for(lambda: daemon.log_lines("Notification: severity = FAILURE"),
                         timeout=20, what="the account's FAILURE")
    message = failure.split("message = ", 1)[1]
    assert "the role could not be assumed" in message, message
    assert f"at STS {sim.url}:" in message and f'Code "{code}"' in message, message
    assert "unreachable" not in message, message
    assert not sim.records(LIST), "no API call without the role's key"
    assert daemon.alive()
    assert_no_secret_logged(sim, daemon)


def test_role_options_out_of_the_apis_rules_are_config_errors(tmp_path, start_simulator):
    sim = start_simulator(scenario=TASKS)
    for i, (option, word) in enumerate([('RoleArn "arn:nope"', "RoleArn"),
                                        ('RoleSessionName "x"', "RoleSessionName"),
                                        ("DurationSeconds 60", "DurationSeconds")]):
        work = tmp_path / f"case{i}"
        work.mkdir()
        code, log = Collectd(work, account_block(
            "prod", sim, domains=["a.example.com"],
            credentials=f'AccessKeyId "k"\nAccessKeySecret "s"\n{option}')).test_config()
        assert code != 0 and word in log, log


@pytest.mark.parametrize("option", [
    'RoleSessionName "s-1"', 'ExternalId "ext-1"', 'Policy "{}"', "DurationSeconds 900",
    'STSEndpoint "https://sts.example.com"'])
def test_a_role_option_without_a_role_is_an_error_naming_it(tmp_path, start_simulator, option):
    """Each of AssumeRole's options means nothing without a role: given
    with a key that works and no RoleArn, it is an error naming it, and
    the account does not start (collectd -T exits non-zero, no call)."""
    sim = start_simulator(scenario=TASKS, credentials=(BASE,))
    name = option.split()[0]
    code, log = Collectd(tmp_path, account_block(
        "prod", sim, domains=["a.example.com"],
        credentials=f'AccessKeyId "baseid"\nAccessKeySecret "basesecret"\n{option}')).test_config()
    assert code != 0, log
    assert f'account "prod": AssumeRole: "{name}" needs a role' in log, log
    assert not sim.records(LIST)
