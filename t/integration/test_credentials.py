"""Every credential source with the real collectd and the simulator: STS,
a secret file, the SDKs' credentials file, the environment and the ECS RAM
role with rotating credentials; the errors each can give; and the
warnings about files others can read."""

import json
import time
import urllib.request

from accounts import account_block
from harness import Collectd, wait_for

COUNT = "dcdn-a.example.com/count-file-complete"
TASKS = {"tasks": [{"id": "1", "path": "http://a.example.com/x", "type": "file",
                    "created": -60}]}


def poll_ok(daemon, polls=1):
    wait_for(lambda: len(daemon.rows(COUNT)) >= polls, timeout=20,
             what=f"{polls} successful polls")


def private_file(path, text, mode=0o600):
    path.write_text(text)
    path.chmod(mode)
    return path


def test_static_sts_credentials(start_simulator, start_collectd):
    sim = start_simulator(scenario=TASKS,
                          credentials=("STS.key:stssecret:ststoken-value",))
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"], credentials=(
        'AccessKeyId "STS.key"\nAccessKeySecret "stssecret"\nSecurityToken "ststoken-value"')))
    poll_ok(daemon)
    assert all(r["status"] == 200 for r in sim.records())
    # The test's collectd.conf is world-readable, and it holds a secret.
    [warning] = daemon.log_lines("readable by other users")
    assert "the configuration file holding AccessKeySecret" in warning
    assert f"chmod 600 {daemon.config_path}" in warning


def test_expired_sts_credentials_give_one_clear_error_per_poll(start_simulator,
                                                               start_collectd):
    sim = start_simulator(scenario=TASKS, credentials=("STS.key:stssecret:ststoken-value",),
                          args=["--sts-expire-after", "2"])
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"], credentials=(
        'AccessKeyId "STS.key"\nAccessKeySecret "stssecret"\nSecurityToken "ststoken-value"')))
    line = wait_for(lambda: daemon.log_lines('Code "InvalidSecurityToken.Expired"'),
                    timeout=20, what="the expiry error")[0]
    assert '[error] dcdn plugin: account "prod"' in line


def test_secret_file_and_its_permissions(tmp_path, start_simulator, start_collectd):
    sim = start_simulator(scenario=TASKS, credentials=("fileid:filesecret",))
    secret = private_file(tmp_path / "dcdn.secret", "filesecret\n", mode=0o644)
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"], credentials=(
        f'AccessKeyId "fileid"\nAccessKeySecretFile "{secret}"')))
    poll_ok(daemon, 2)
    [warning] = daemon.log_lines("readable by other users")
    assert str(secret) in warning and f"chmod 600 {secret}" in warning


def test_a_rotated_secret_file_is_read_again_without_a_restart(tmp_path, start_simulator,
                                                               start_collectd):
    sim = start_simulator(scenario=TASKS,
                          credentials=("fileid:filesecret", "fileid2:secret2"))
    secret = private_file(tmp_path / "dcdn.secret", "wrongsecret\n")
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"], credentials=(
        f'AccessKeyId "fileid"\nAccessKeySecretFile "{secret}"')))
    wait_for(lambda: daemon.log_lines("SignatureDoesNotMatch"), what="the wrong secret")
    time.sleep(1.1)  # a new mtime
    private_file(secret, "filesecret\n")
    poll_ok(daemon)
    assert not daemon.log_lines("readable by other users")


def test_credentials_file_with_profile(tmp_path, start_simulator, start_collectd):
    sim = start_simulator(scenario=TASKS, credentials=("iniid:inisecret",))
    ini = private_file(tmp_path / "credentials", (
        "[default]\ntype = access_key\naccess_key_id = nobody\naccess_key_secret = nothing\n"
        "[ops]\ntype = access_key\naccess_key_id = iniid\naccess_key_secret = inisecret\n"))
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"], credentials=(
        f'CredentialsFile "{ini}"\nProfile "ops"')))
    poll_ok(daemon)


def test_the_environment_when_no_source_is_configured(start_simulator, start_collectd):
    sim = start_simulator(scenario=TASKS, credentials=("envid:envsecret",))
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"], credentials=""),
                            env={"ALIBABA_CLOUD_ACCESS_KEY_ID": "envid",
                                 "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "envsecret"})
    poll_ok(daemon)


def test_the_default_credentials_file_comes_after_the_environment(tmp_path, start_simulator,
                                                                  start_collectd):
    sim = start_simulator(scenario=TASKS, credentials=("iniid:inisecret",))
    ini = private_file(tmp_path / "credentials",
                       "[default]\naccess_key_id = iniid\naccess_key_secret = inisecret\n")
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"], credentials=""),
                            env={"ALIBABA_CLOUD_ACCESS_KEY_ID": "",
                                 "ALIBABA_CLOUD_CREDENTIALS_FILE": str(ini)})
    poll_ok(daemon)


def test_two_sources_are_a_config_error_naming_both(tmp_path, start_simulator):
    sim = start_simulator(scenario=TASKS)
    code, log = Collectd(tmp_path, account_block(
        "prod", sim, domains=["a.example.com"],
        credentials='AccessKeyId "k"\nAccessKeySecret "testsecret"\nRamRole "r"')).test_config()
    assert code != 0
    assert '"AccessKeySecret" and "RamRole" are two credential sources' in log


def test_ram_role_credentials_rotate_with_no_failed_poll(start_simulator, start_collectd):
    sim = start_simulator(scenario=TASKS, args=["--ram-role", "collectd",
                                                "--sts-lifetime", "4"])
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"], credentials=(
        f'RamRole "collectd"\nMetadataEndpoint "{sim.url}"')))
    wait_for(lambda: len({r["key"] for r in sim.records("DescribeDcdnRefreshTasks")}) >= 4,
             timeout=30, what="four rotations of the role credentials")
    assert not daemon.log_lines("[error]")
    assert all(r["status"] == 200 for r in sim.records("DescribeDcdnRefreshTasks"))
    assert {r["key"][:4] for r in sim.records("DescribeDcdnRefreshTasks")} == {"STS."}
    tokens = [r for r in sim.records("metadata") if r["params"]["path"] == "/latest/api/token"]
    assert tokens, "IMDSv2: a session token first"
    # The issued secrets are random: fetch the current one to look for it.
    url = f"{sim.url}/latest/meta-data/ram/security-credentials/collectd"
    with urllib.request.urlopen(url, timeout=5) as answer:
        current = json.load(answer)
    log = daemon.log()
    assert current["AccessKeySecret"] not in log
    assert "CAIS" not in log, "an STS token reached the log"


def test_ram_role_discovered_with_ramrole_true(start_simulator, start_collectd):
    sim = start_simulator(scenario=TASKS, args=["--ram-role", "collectd"])
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"], credentials=(
        f'RamRole true\nMetadataEndpoint "{sim.url}"')))
    poll_ok(daemon)
    assert daemon.log_lines('using the instance\'s RAM role "collectd"')


def test_metadata_failures_give_one_clear_line_and_retry(tmp_path, start_simulator):
    cases = [(["--ram-role", "collectd", "--metadata-fault", "down"], 'RamRole "collectd"',
              "security-credentials"),
             (["--ram-role", "collectd"], 'RamRole "nosuchrole"', "HTTP 404"),
             (["--ram-role", "collectd", "--metadata-fault", "malformed"], 'RamRole "collectd"',
              "not a JSON object")]
    for i, (args, role, reason) in enumerate(cases):
        work = tmp_path / f"case{i}"
        work.mkdir()
        sim_args = {"args": args}
        sim = start_simulator(scenario=TASKS, **sim_args)
        daemon = Collectd(work, account_block("prod", sim, domains=["a.example.com"],
                                              credentials=f'{role}\nMetadataEndpoint "{sim.url}"')).start()
        try:
            lines = wait_for(lambda: len(l := daemon.log_lines("ECS metadata service")) >= 2
                             and l, timeout=20, what="two failed polls")
            assert reason in lines[0], lines[0]
            assert 'account "prod": RAM role credentials' in lines[0]
            assert not daemon.log_lines("not sent"), "one line per poll, not two"
            assert daemon.alive()
        finally:
            daemon.stop()
