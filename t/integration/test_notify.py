"""contrib/notify/dcdn-notify-json in the real collectd: the exec plugin
runs it as "nobody" for each notification of a lifecycle scenario (a task
failure, a stuck task that completes, an outage of the endpoint and its
recovery); every FAILURE and OKAY becomes one JSON line in the output file
and one POST to a webhook on loopback, each equal to the notification
collectd sent (captured beside it by the raw NotificationSink)."""

import datetime
import http.server
import json
import shutil
import threading

import pytest

from accounts import account_block
from harness import ROOT, NotificationSink, wait_for

SCRIPT = ROOT / "contrib" / "notify" / "dcdn-notify-json"
FIELDS = {"severity", "time", "timestamp", "host", "plugin", "plugin_instance", "type",
          "type_instance", "message", "meta", "text"}
TASKS = [
    {"id": "200", "path": "http://a.example.com/f/200", "created": 1,
     "states": [{"after": 0, "status": "Refreshing", "process": "20%"},
                {"after": 1, "status": "Failed", "description": "OriginTimeout"}]},
    {"id": "300", "path": "http://a.example.com/c/300", "created": 0,
     "states": [{"after": 0, "status": "Pending"}, {"after": 1, "status": "Refreshing"},
                {"after": 13, "status": "Complete"}]},
]
# No answer from 3.5 s to 11 s: three polls without one give the account
# FAILURE (a failing poll, its retries backing off, takes about 2 s).
FAULTS = [{"kind": "reset", "from": 3.5, "to": 11}]


class Webhook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.posts.append((self.headers["Content-Type"], body.decode()))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    server.posts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_each_failure_and_okay_becomes_one_json_line(start_simulator, start_collectd, webhook):
    raw = NotificationSink()        # a directory "nobody" may write to, and the raw capture
    try:
        script = raw.dir / "dcdn-notify-json"   # where "nobody" can surely read it
        shutil.copy(SCRIPT, script)
        output = raw.dir / "notifications.jsonl"
        url = f"http://127.0.0.1:{webhook.server_address[1]}/hook/secret-token"
        exec_config = raw.config().replace("</Plugin>", f'  NotificationExec "nobody" "{script}" '
                                                        f'"--output" "{output}" "--url" "{url}"\n</Plugin>')
        sim = start_simulator(scenario={"tasks": TASKS, "faults": FAULTS})
        start_collectd(account_block("prod", sim, domains=["a.example.com"],
                                     extra="StuckAfter 2\nTimeout 1"),
                       extra_config=exec_config)
        wait_for(lambda: len([n for n in raw.notifications() if n["Severity"] == "OKAY"]) >= 2,
                 timeout=30, what="the account's and the task's OKAY")
        wait_for(lambda: output.exists() and len(output.read_text().splitlines()) >= 4 and
                 len(webhook.posts) >= 4, timeout=5, what="the JSON lines")
        notes = [n for n in raw.notifications() if n["Severity"] in ("FAILURE", "OKAY")]
        assert "WARNING" in {n["Severity"] for n in raw.notifications()}   # sent, not passed on
        lines = [json.loads(line) for line in output.read_text().splitlines()]
        check_lines(lines, notes)
        assert sorted(body for _, body in webhook.posts) == sorted(output.read_text().splitlines(True))
        assert {kind for kind, _ in webhook.posts} == {"application/json"}
    finally:
        raw.remove()


def check_lines(lines, notes):
    """One line per FAILURE/OKAY notification, every field as collectd sent it."""
    assert len(lines) == len(notes) == 4
    summary = sorted((l["severity"], l["type"], l["meta"].get("task_id", "")) for l in lines)
    assert summary == [("FAILURE", "account", ""), ("FAILURE", "task", "200"),
                       ("OKAY", "account", ""), ("OKAY", "task", "300")]
    by_key = {(n["Severity"], n["Type"]): n for n in notes}
    for line in lines:
        assert set(line) == FIELDS
        note = by_key[(line["severity"], line["type"])]
        assert (line["host"], line["plugin"]) == (note["Host"], "dcdn") == ("dcdn-test", "dcdn")
        assert line["plugin_instance"] == note["PluginInstance"]
        assert line["type_instance"] == note.get("TypeInstance", "")
        assert line["message"] == note["message"]
        assert line["timestamp"] == pytest.approx(float(note["Time"]), abs=0.001)
        stamp = datetime.datetime.strptime(line["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
        assert abs(stamp.replace(tzinfo=datetime.timezone.utc).timestamp() - line["timestamp"]) < 0.002
        assert line["text"].startswith(f"[{line['severity']}] dcdn-test dcdn ")
        assert line["text"].endswith(line["message"])
        meta = {k: v for k, v in note.items() if k not in ("Severity", "Time", "Host", "Plugin",
                                                           "PluginInstance", "Type", "TypeInstance",
                                                           "message")}
        assert line["meta"] == meta and meta["account"] == "prod"
    failed = next(l for l in lines if l["meta"].get("task_id") == "200")
    assert failed["meta"]["description"] == "OriginTimeout" and "OriginTimeout" in failed["message"]
    assert failed["plugin_instance"] == "a.example.com" and failed["type_instance"] == "file"


def test_a_dead_webhook_fails_without_naming_its_token(tmp_path):
    import socket
    import subprocess
    with socket.socket() as s:          # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    note = ("Severity: OKAY\nTime: 1733112000.5\nHost: h\nPlugin: dcdn\nPluginInstance: prod\n"
            "Type: account\nTypeInstance: health\naccount: prod\n\nDCDN account \"prod\": API calls succeed again\n")
    run = subprocess.run([str(SCRIPT), "--output", str(tmp_path / "out.jsonl"),
                          "--url", f"http://127.0.0.1:{port}/hook/secret-token"],
                         input=note, capture_output=True, text=True, timeout=20)
    assert run.returncode == 1 and "POST to 127.0.0.1 failed" in run.stderr
    assert "secret-token" not in run.stderr
    [line] = [json.loads(l) for l in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert line["time"] == "2024-12-02T04:00:00.500Z" and line["meta"] == {"account": "prod"}
    skipped = subprocess.run([str(SCRIPT)], input=note.replace("OKAY", "WARNING"),
                             capture_output=True, text=True, timeout=20)
    assert (skipped.returncode, skipped.stdout) == (0, "")
