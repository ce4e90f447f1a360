"""Files that hold secrets, with the real collectd: only a regular file is
read. A FIFO (or a directory) named as the secret or credentials file is
refused at once with a line naming the file, at start and while polling,
never waited on."""

import os
import time

import pytest

from accounts import account_block
from harness import Collectd, wait_for

COUNT = "dcdn-a.example.com/count-file-complete"
TASKS = {"tasks": [{"id": "1", "path": "http://a.example.com/x", "created": -60}]}
SOURCES = {  # the option, and how its error line names the file
    "AccessKeySecretFile": ('AccessKeyId "testid"\nAccessKeySecretFile "{}"',
                            "AccessKeySecretFile"),
    "CredentialsFile": ('CredentialsFile "{}"', "credentials file"),
}


def not_regular(path, kind):
    if kind == "fifo":
        os.mkfifo(path, 0o600)
    else:
        path.mkdir(mode=0o700)
    return path


@pytest.mark.parametrize("kind", ["fifo", "directory"])
@pytest.mark.parametrize("option", sorted(SOURCES))
def test_a_file_that_is_not_regular_is_refused_at_start(tmp_path, start_simulator, option,
                                                        kind):
    path = not_regular(tmp_path / "secret", kind)
    credentials, named = SOURCES[option]
    sim = start_simulator(scenario=TASKS)
    config = Collectd(tmp_path, account_block("prod", sim, domains=["a.example.com"],
                                              credentials=credentials.format(path)))
    began = time.monotonic()
    code, log = config.test_config()  # before the fix: blocked on the FIFO
    assert time.monotonic() - began < 10
    assert code != 0
    line = f'[error] dcdn plugin: account "prod": {named} {path}: not a regular file'
    assert line in log, log


def test_a_secret_file_replaced_by_a_fifo_holds_no_read_thread(tmp_path, start_simulator,
                                                               start_collectd):
    sim = start_simulator(scenario=TASKS)
    secret = tmp_path / "dcdn.secret"
    secret.write_text("testsecret\n")
    secret.chmod(0o600)
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"], credentials=(
        f'AccessKeyId "testid"\nAccessKeySecretFile "{secret}"')))
    wait_for(lambda: daemon.rows(COUNT), what="a first poll")
    fifo = not_regular(tmp_path / "fifo", "fifo")
    later = secret.stat().st_mtime + 2
    os.utime(fifo, (later, later))  # a new mtime: read again at the next poll
    os.replace(fifo, secret)
    wait_for(lambda: len(daemon.log_lines(f"AccessKeySecretFile {secret}: not a regular file"))
             >= 2, what="two polls refusing the FIFO")
    # The credentials read before stay in use.
    polls = len(daemon.rows(COUNT))
    wait_for(lambda: len(daemon.rows(COUNT)) > polls, what="polls going on")
    began = time.monotonic()
    assert daemon.stop() == 0
    assert time.monotonic() - began < 5
