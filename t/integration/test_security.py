"""Hostile input against the real collectd: a StateDir someone else can
write, links and FIFOs planted where the state file goes, and answers whose
fields, hosts and quota names try to forge log lines, write escape
sequences to an operator's terminal or name CSV files outside the tree.

The rules: the plugin refuses an unsafe StateDir and never follows a link
or blocks on a FIFO in it; every line of collectd.log is one line the
logger wrote (a timestamp first, no control byte anywhere); a notification
carries no control byte and ends with its reason; a hostile name becomes
neither a plugin_instance nor a type_instance, and costs one printable
warning."""

import os
import pathlib
import pwd
import re
import stat
import time

import pytest

from accounts import account_block
from harness import Collectd, wait_for
from log_checks import CONTROL, FORGED, assert_log_forges_nothing

DOCUMENTED_QUOTA = ("url", "dir", "preload", "regex", "block", "ignore_params")


def task(task_id, **raw):
    """A task of a.example.com, Complete; raw: answer fields sent instead."""
    spec = {"id": str(task_id), "path": f"http://a.example.com/t/{task_id}", "type": "file",
            "created": -60}
    if raw:
        spec["raw"] = raw
    return spec


def failing_later(task_id, reason, **raw):
    """In flight at the first poll, Failed after it: notified (failures the
    first poll finds are history, counted but not notified)."""
    spec = task(task_id, **raw)
    spec["states"] = [{"after": 0, "status": "Refreshing"},
                      {"after": 64, "status": "Failed", "description": reason}]
    return spec


def csv_series(daemon):
    """Every CSV file as host/plugin-instance/file, whatever its depth."""
    return sorted(str(p.relative_to(daemon.csv_dir)) for p in daemon.csv_dir.rglob("*")
                  if p.is_file())


# -- 1. The state directory ---------------------------------------------------


def make_state_dir(tmp_path, kind):
    """The StateDir account_block names (tmp_path/state), made unsafe."""
    state = tmp_path / "state"
    if kind == "link":
        (tmp_path / "real-state").mkdir(mode=0o700)
        state.symlink_to(tmp_path / "real-state")
        return state, None, None
    state.mkdir()
    if kind.endswith("-writable"):
        mode = 0o777 if kind == "world-writable" else 0o770
        state.chmod(mode)
        return state, f"{mode:04o}", r"\b(uid 0|root)\b"
    state.chmod(0o700)
    nobody = pwd.getpwnam("nobody").pw_uid
    os.chown(state, nobody, -1)
    return state, "0700", rf"\b(uid {nobody}|nobody)\b"


@pytest.mark.parametrize("kind", ["world-writable", "group-writable", "owned-by-nobody",
                                  "link"])
def test_an_unsafe_state_dir_stops_the_plugin(tmp_path, start_simulator, kind):
    """A StateDir others can write (mode 0777 or 0770), owned by another
    user, or a link: anyone who can write there could plant a link for root to
    overwrite. The plugin does not start (collectd -T exits non-zero, no
    account is polled), with one error naming the directory, its owner and
    its mode."""
    state, mode, owner = make_state_dir(tmp_path, kind)
    sim = start_simulator(scenario={"tasks": [task(1)]})
    code, log = Collectd(tmp_path, account_block("prod", sim, domains=["a.example.com"])
                         ).test_config()
    assert code != 0, log
    [line] = [l for l in log.splitlines() if "[error] dcdn plugin: " in l]
    assert f'StateDir "{state}"' in line and 'account "prod"' in line, line
    if mode:
        assert mode in line and re.search(owner, line), line
    assert not sim.records(), "an account was polled"
    assert not list(state.glob("prod.state*")), "something was written there"


def test_one_account_that_cannot_start_keeps_every_account_from_starting(
        tmp_path, start_simulator, start_collectd):
    """Two accounts, the second's StateDir world-writable: the daemon polls
    neither (collectd unloads the plugin; a first account already started
    would have kept polling under its own read callback's name)."""
    good = tmp_path / "good-state"
    good.mkdir(mode=0o700)
    bad = tmp_path / "state"
    bad.mkdir()
    bad.chmod(0o777)
    sim = start_simulator(scenario={"tasks": [task(1)]})
    first = account_block("a", sim, domains=["a.example.com"]).replace(
        f'StateDir "{sim.workdir}/state"', f'StateDir "{good}"')
    second = account_block("b", sim, key="testid", domains=["b.example.com"])
    daemon = Collectd(tmp_path, first + "\n" + second)
    daemon.config_path.chmod(0o600)
    daemon.start()
    time.sleep(3)
    assert daemon.log_lines("Initialization of plugin `dcdn' failed") or \
        daemon.log_lines("dcdn plugin: account \"b\": StateDir"), daemon.log()
    assert not sim.records(), "an account was polled"
    assert not (good / "a.state").exists(), "the first account ran"
    daemon.stop()


def plant_victims(tmp_path):
    """Files an attacker would have root overwrite, with known content:
    {path: (content, inode)}."""
    files = {}
    for name in ("victim", "victim2"):
        path = tmp_path / name
        path.write_text(f"{name}: must stay as it is\n")
        files[path] = (path.read_bytes(), path.stat().st_ino)
    return files


def test_planted_links_in_the_state_dir_are_neither_followed_nor_written(
        tmp_path, start_simulator, start_collectd):
    """<account>.state and <account>.state.tmp planted as links to other
    files: the load refuses the link with a warning (it does not read
    through it), the save replaces the link with a regular file of its own,
    and the files the links point at stay as they were."""
    victims = plant_victims(tmp_path)
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    link, link_tmp = state / "prod.state", state / "prod.state.tmp"
    link.symlink_to(tmp_path / "victim")
    link_tmp.symlink_to(tmp_path / "victim2")
    sim = start_simulator(scenario={"tasks": [task(1)]})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    wait_for(lambda: not link.is_symlink() and link.is_file(), what="the state to be saved")
    wait_for(lambda: daemon.values().get("dcdn-a.example.com/count-file-complete") == 1.0,
             what="the poll")
    st = link.lstat()
    assert stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid()
    assert stat.S_IMODE(st.st_mode) & 0o077 == 0, oct(st.st_mode)
    assert "must stay" not in link.read_text()
    [warning] = daemon.log_lines(f"[warning] dcdn plugin: account \"prod\": state file {link}: ")
    why = warning.split(f"{link}: ", 1)[1]  # the path itself says "links"
    assert re.search(r"link|not a regular file", why, re.I), warning
    assert not daemon.log_lines("state loaded from")
    assert link_tmp.is_symlink() or not link_tmp.exists()
    for path, (content, inode) in victims.items():
        assert path.read_bytes() == content and path.stat().st_ino == inode, path


def test_a_fifo_as_the_state_file_does_not_block_init(tmp_path, start_simulator,
                                                      start_collectd):
    """A FIFO where the state file goes (nobody writes to it): init does
    not wait for a writer. collectd starts, one warning names the file, the
    account polls, and the save puts a regular file in its place."""
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    fifo = state / "prod.state"
    os.mkfifo(fifo, 0o600)
    sim = start_simulator(scenario={"tasks": [task(1)]})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    wait_for(lambda: daemon.values().get("dcdn-a.example.com/count-file-complete") == 1.0,
             what="the poll")
    wait_for(lambda: stat.S_ISREG(fifo.lstat().st_mode), what="a regular state file")
    assert len(daemon.log_lines(f'[warning] dcdn plugin: account "prod": state file {fifo}')) == 1


# -- 2. Log lines and notifications ---------------------------------------------


def test_task_fields_forge_no_log_line(start_simulator, start_collectd):
    """TaskId, ObjectType and Status holding a newline and a forged log
    line, ANSI escapes and other control bytes: the task is not counted,
    one warning per value says so, printable; no line of the log is one the
    answer wrote. ObjectPath and Description of a task that fails reach the
    log through logfile's notification line: printable too."""
    esc = "\u001b[31m\u001b[2J\r\t\x07\x08\x7f"
    tasks = [task(1, TaskId=f"1{FORGED} TaskId {esc}"),
             task(2, ObjectType=f"file{esc}{FORGED} ObjectType"),
             task(3, Status=f"Complete\r{FORGED} Status{esc}"),
             failing_later(4, f"{FORGED} Description{esc} OriginTimeout",
                           ObjectPath=f"http://a.example.com/x{FORGED} ObjectPath{esc}"),
             task(5)]
    sim = start_simulator(scenario={"tasks": tasks})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    failed = "dcdn-a.example.com/count-file-failed"
    wait_for(lambda: daemon.values().get(failed) == 1.0, timeout=20, what="task 4 to fail")
    wait_for(lambda: daemon.log_lines("Notification: severity = FAILURE"),
             what="the failure notification in the log")
    assert_log_forges_nothing(daemon)
    for field in ("TaskId", "ObjectType", "Status"):
        lines = daemon.log_lines(f"forged {field}")
        assert len(lines) == 1 and "[warning] dcdn plugin: account \"prod\": " in lines[0], \
            (field, lines)
    [notified] = daemon.log_lines("Notification: severity = FAILURE")
    assert "forged ObjectPath" in notified and notified.endswith("OriginTimeout"), notified
    assert daemon.values()["dcdn-a.example.com/count-file-complete"] == 1.0  # task 5 only


def notification_files(sink):
    """Each notification the exec plugin handed over, as bytes: header lines
    ("Name: value"), a blank line, the message."""
    return [p.read_bytes() for p in sorted(sink.dir.glob("*.notification"))]


def parse_notification(raw):
    head, blank, message = raw.partition(b"\n\n")
    assert blank and message.endswith(b"\n") and b"\n" not in message[:-1], raw
    message = message[:-1]
    fields = {}
    for line in head.split(b"\n"):
        name, sep, value = line.partition(b": ")
        assert sep and re.fullmatch(rb"\w+", name), f"a header line no field began: {line!r}"
        assert not CONTROL.search(value), line
        fields[name.decode()] = value.decode("utf-8")
    assert not CONTROL.search(message), message
    assert len(message) <= 256, len(message)
    fields["message"] = message.decode("utf-8")  # strict: no sequence cut in half
    return fields


NOTIFICATION_FIELDS = {"Severity", "Time", "Host", "Plugin", "PluginInstance", "Type",
                       "TypeInstance", "task_id", "object_path", "object_type", "status",
                       "description", "domain", "account"}


@pytest.mark.parametrize("domain", ["a.example.com", "*"])
def test_a_failure_notification_carries_no_control_byte_and_ends_with_its_reason(
        start_simulator, start_collectd, notifications, domain):
    """A Failed task whose ObjectPath and Description hold newlines, a
    forged line and escapes, and one whose ObjectPath is 1000 characters of
    multi-byte UTF-8 (its domain named, or found by Domain "*"): each
    FAILURE notification has exactly its header fields (no value opened a
    line of its own), no control byte in the message or the meta data, and
    a message of at most 256 bytes of valid UTF-8 that still ends with the
    failure reason. The log's notification lines forge nothing either."""
    long_path = "http://a.example.com/" + ("é日🙂" * 334)[:1000]
    hostile_path = f"http://a.example.com/x{FORGED} ObjectPath\u001b[31m\r\x07"
    tasks = [failing_later(31, f"{FORGED} Description\u001b[0m\t OriginTimeout",
                           ObjectPath=hostile_path),
             dict(failing_later(32, "OriginReturn StatusCode 5XX"), path=long_path)]
    sim = start_simulator(scenario={"tasks": tasks})
    daemon = start_collectd(account_block("prod", sim, domains=[domain]),
                            extra_config=notifications.config())
    wait_for(lambda: len(notification_files(notifications)) >= 2, timeout=20,
             what="two FAILURE notifications")
    found = {n["task_id"]: n for n in map(parse_notification, notification_files(notifications))}
    assert set(found) == {"31", "32"}
    for n in found.values():
        assert set(n) - {"message"} == NOTIFICATION_FIELDS, n.keys()
        assert n["Severity"] == "FAILURE" and n["PluginInstance"] == "a.example.com"
        assert n["message"].startswith(f"DCDN file task {n['task_id']} ("), n["message"]
    hostile, long = found["31"], found["32"]
    assert hostile["message"].endswith("OriginTimeout"), hostile["message"]
    assert "forged ObjectPath" in hostile["object_path"]
    assert "forged Description" in hostile["description"]
    assert long["message"].endswith("failed: OriginReturn StatusCode 5XX"), long["message"]
    assert long["object_path"] == long_path  # the meta data keeps it whole
    assert_log_forges_nothing(daemon)


# -- 3. Hosts of ObjectPath under Domain "*" ---------------------------------------

BAD_HOSTS = {  # a marker (in the host, or its path): ObjectPath
    "evil-space": "http://evil-space here.example.com/x",
    "evil-newline": "http://evil-newline\nhere.example.com/x",
    "evil-escape": "http://evil-escape\u001b[31mhere.example.com/x",
    "evil-tab": "http://evil-tab\there.example.com/x",
    "evil-dotdot": "http://../evil-dotdot/x",
    "evil-emptylabel": "http://evil-emptylabel..example.com/x",
    "evil-long": "http://evil-long" + "a" * 51 + "." + ("b" * 60 + ".") * 4 + "example.com/x",
}
GOOD_HOSTS = {"good.example.com": "http://good.example.com/x",
              "upper.example.com": "http://UPPER.Example.COM/x",
              "port.example.com": "http://port.example.com:8080/x"}


def test_hostile_hosts_under_domain_star_become_no_plugin_instance(
        start_simulator, start_collectd):
    """Domain "*" takes its domains from the hosts of ObjectPath: a host
    with a space, a newline, a control byte, "..", an empty label or 300
    characters is no domain. No plugin_instance (CSV directory) is made for
    it, one printable warning per host tells it (two tasks share each
    host, and polls repeat), and the valid hosts are still counted."""
    assert len(BAD_HOSTS["evil-long"].split("/")[2]) > 253
    tasks = []
    for i, path in enumerate([*BAD_HOSTS.values(), *GOOD_HOSTS.values()] * 2):
        tasks.append(dict(task(100 + i), path=path))
    sim = start_simulator(scenario={"tasks": tasks})
    daemon = start_collectd(account_block("prod", sim, domains=["*"]))
    good = {f"dcdn-{h}/count-file-complete" for h in GOOD_HOSTS}
    wait_for(lambda: good <= daemon.values().keys(), what="the valid hosts' counts")
    wait_for(lambda: len(sim.records("DescribeDcdnRefreshTasks")) >= 4, what="more polls")
    assert_log_forges_nothing(daemon)
    assert all(daemon.values()[s] == 2.0 for s in good), daemon.values()
    instances = {pathlib.Path(s).parts[1] for s in csv_series(daemon)}
    assert instances == {"dcdn-prod"} | {f"dcdn-{h}" for h in GOOD_HOSTS}, instances
    assert all(len(pathlib.Path(s).parts) == 3 for s in csv_series(daemon))
    for marker in BAD_HOSTS:
        lines = [l for l in daemon.log_lines('[warning] dcdn plugin: account "prod": ')
                 if marker in l]
        assert len(lines) == 1, (marker, lines)


# -- 4. Quota kinds -----------------------------------------------------------------


def test_undocumented_quota_names_are_neither_reported_nor_forge_anything(
        start_simulator, start_collectd):
    """The quota answer may hold members the API does not document, with
    control bytes or a path in their names: none becomes a CSV series (no
    file outside the plugin's directory either), each costs one printable
    warning, and the documented kinds are still reported."""
    hostile = {"EvilQuota": "5", "Bad\nQuota": "1", "../../etcRemain": "3",
               "Esc\u001b[31mRemain": "4"}
    sim = start_simulator(scenario={"tasks": [task(1)], "quota": hostile})
    daemon = start_collectd(account_block("prod", sim, domains=["a.example.com"]))
    wait_for(lambda: len(sim.records("DescribeDcdnRefreshQuota")) >= 3, what="three quota calls")
    wait_for(lambda: "dcdn-prod/count-remain-url" in daemon.values(), what="the quota values")
    assert_log_forges_nothing(daemon)
    series = csv_series(daemon)
    assert all(len(pathlib.Path(s).parts) == 3 for s in series), series
    kinds = {re.fullmatch(r"count-(quota|remain)-(.+)-\d{4}-\d\d-\d\d", pathlib.Path(s).name, re.S)
             for s in series if pathlib.Path(s).parts[1] == "dcdn-prod"}
    reported = {(m[1], m[2]) for m in kinds if m}
    assert reported == {(w, k) for w in ("quota", "remain") for k in DOCUMENTED_QUOTA}, reported
    assert daemon.values()["dcdn-prod/count-quota-url"] == 10000.0
    quota_warnings = [l for l in daemon.log_lines('[warning] dcdn plugin: account "prod": ')
                      if "DescribeDcdnRefreshQuota" in l]
    for marker in ("EvilQuota", "Bad", "etcRemain", "Esc"):
        assert len([l for l in quota_warnings if marker in l]) == 1, (marker, quota_warnings)
    assert len(quota_warnings) == len(hostile), quota_warnings
