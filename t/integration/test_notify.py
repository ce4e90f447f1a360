"""contrib/notify/dcdn-notify-json in the real collectd: the exec plugin
runs it as "nobody" for each notification of a lifecycle scenario (a task
failure, a stuck task that completes, an outage of the endpoint and its
recovery) on an account of each product the plugin reads (DCDN, CDN and
ESA: their notifications' plugin is dcdn, cdn and esa); every FAILURE and
OKAY becomes one JSON line in the output file and one POST to a webhook on
loopback, each equal to the notification collectd sent (captured beside it
by the raw NotificationSink)."""

import datetime
import http.server
import importlib.machinery
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import threading

import pytest

from accounts import account_block
from harness import ROOT, NotificationSink, wait_for

SCRIPT = ROOT / "contrib" / "notify" / "dcdn-notify-json"
FIELDS = {"severity", "time", "timestamp", "host", "plugin", "plugin_instance", "type",
          "type_instance", "message", "meta", "text"}
# One account of each product: (product, account, domain, its tasks' first id).
ACCOUNTS = [("dcdn", "prod", "a.example.com", 200),
            ("cdn", "edge-cdn", "cdn.example.org", 400),
            ("esa", "edge-esa", "www.example.net", 600)]
ESA_SITE = {"id": 1200000000001, "name": "example.net"}


def tasks(product, domain, first):
    """A task that fails (id first) and a stuck one that completes (first + 100)."""
    return [
        {"id": str(first), "product": product, "path": f"http://{domain}/f/{first}", "created": 1,
         "states": [{"after": 0, "status": "Refreshing", "process": "20%"},
                    {"after": 1, "status": "Failed", "description": "OriginTimeout"}]},
        {"id": str(first + 100), "product": product, "path": f"http://{domain}/c/{first + 100}",
         "created": 0,
         "states": [{"after": 0, "status": "Pending"}, {"after": 1, "status": "Refreshing"},
                    {"after": 13, "status": "Complete"}]},
    ]


TASKS = [t for product, _, domain, first in ACCOUNTS for t in tasks(product, domain, first)]
# No answer from 3.5 s to 11 s: three polls without one give each account
# FAILURE (a failing poll, its retries backing off, takes about 2 s).
FAULTS = [{"kind": "reset", "from": 3.5, "to": 11}]
EXPECTED = sorted((sev, kind, product, account, task_id)
                  for product, account, _, first in ACCOUNTS
                  for sev, kind, task_id in (("FAILURE", "account", ""), ("OKAY", "account", ""),
                                             ("FAILURE", "task", str(first)),
                                             ("OKAY", "task", str(first + 100))))


def load_script():
    """The script as a module (it has no .py suffix), leaving no
    __pycache__ beside it (contrib/notify is shipped whole)."""
    loader = importlib.machinery.SourceFileLoader("dcdn_notify_json", str(SCRIPT))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    saved, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = saved
    return module


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
        sim = start_simulator(scenario={"tasks": TASKS, "faults": FAULTS, "sites": [ESA_SITE]})
        extra = "StuckAfter 2\nTimeout 1"
        start_collectd("\n".join([
            account_block("prod", sim, domains=["a.example.com"], extra=extra),
            account_block("edge-cdn", sim, domains=["cdn.example.org"], extra=f'Product "cdn"\n{extra}'),
            account_block("edge-esa", sim, domains=[("www.example.net", ["file"])],
                          extra=f'Product "esa"\n{extra}')]), extra_config=exec_config)
        wait_for(lambda: len([n for n in raw.notifications() if n["Severity"] == "OKAY"]) >= 6,
                 timeout=40, what="each account's and each stuck task's OKAY")
        wait_for(lambda: output.exists() and len(output.read_text().splitlines()) >= 12 and
                 len(webhook.posts) >= 12, timeout=5, what="the JSON lines")
        notes = [n for n in raw.notifications() if n["Severity"] in ("FAILURE", "OKAY")]
        assert {n["Plugin"] for n in notes} == {"dcdn", "cdn", "esa"}
        assert "WARNING" in {n["Severity"] for n in raw.notifications()}   # sent, not passed on
        lines = [json.loads(line) for line in output.read_text().splitlines()]
        check_lines(lines, notes)
        assert sorted(body for _, body in webhook.posts) == sorted(output.read_text().splitlines(True))
        assert {kind for kind, _ in webhook.posts} == {"application/json"}
    finally:
        raw.remove()


def check_lines(lines, notes):
    """One line per FAILURE/OKAY notification, every field as collectd sent it."""
    assert len(lines) == len(notes) == 12
    summary = sorted((l["severity"], l["type"], l["plugin"], l["meta"]["account"],
                      l["meta"].get("task_id", "")) for l in lines)
    assert summary == EXPECTED
    by_key = {(n["Severity"], n["Type"], n["Plugin"]): n for n in notes}
    assert len(by_key) == 12
    label = {"dcdn": "DCDN", "cdn": "CDN", "esa": "ESA"}
    for line in lines:
        assert set(line) == FIELDS
        note = by_key[(line["severity"], line["type"], line["plugin"])]
        assert (line["host"], line["plugin"]) == (note["Host"], note["Plugin"])
        assert line["host"] == "dcdn-test"
        assert line["plugin_instance"] == note["PluginInstance"]
        assert line["type_instance"] == note.get("TypeInstance", "")
        assert line["message"] == note["message"]
        assert line["message"].startswith(label[line["plugin"]] + " ")
        assert line["timestamp"] == pytest.approx(float(note["Time"]), abs=0.001)
        stamp = datetime.datetime.strptime(line["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
        assert abs(stamp.replace(tzinfo=datetime.timezone.utc).timestamp() - line["timestamp"]) < 0.002
        assert line["text"].startswith(f"[{line['severity']}] dcdn-test {line['plugin']} ")
        assert line["text"].endswith(line["message"])
        meta = {k: v for k, v in note.items() if k not in ("Severity", "Time", "Host", "Plugin",
                                                           "PluginInstance", "Type", "TypeInstance",
                                                           "message")}
        assert line["meta"] == meta
    for product, account, domain, first in ACCOUNTS:
        mine = [l for l in lines if l["plugin"] == product]
        assert {l["meta"]["account"] for l in mine} == {account}
        failed = next(l for l in mine if l["meta"].get("task_id") == str(first))
        assert failed["meta"]["description"] == "OriginTimeout" and "OriginTimeout" in failed["message"]
        assert failed["plugin_instance"] == domain and failed["type_instance"] == "file"
        health = [l for l in mine if l["type"] == "account"]
        assert {(l["plugin_instance"], l["type_instance"]) for l in health} == {(account, "health")}


def test_the_products_are_the_plugins(tmp_path):
    """The script passes on the plugin names of src/core/product.c's
    product_names (each product's notifications), and no other plugin's
    unless --all-plugins."""
    table = (ROOT / "src" / "core" / "product.c").read_text()
    names = re.search(r"product_names\[PRODUCT_COUNT \+ 1\] = \{([^}]*)\}", table).group(1)
    assert load_script().PRODUCTS == tuple(re.findall(r'"(\w+)"', names)) == ("dcdn", "cdn", "esa")

    def run(plugin, *args):
        note = (f"Severity: FAILURE\nTime: 1733112000\nHost: h\nPlugin: {plugin}\n"
                f"PluginInstance: i\nType: account\nTypeInstance: health\n\nbroken\n")
        done = subprocess.run([str(SCRIPT), *args], input=note, capture_output=True, text=True,
                              timeout=20)
        assert done.returncode == 0, done.stderr
        return [json.loads(l)["plugin"] for l in done.stdout.splitlines()]

    for product in ("dcdn", "cdn", "esa"):
        assert run(product) == [product]
    assert run("cpu") == [] and run("DCDN") == []
    assert run("cpu", "--all-plugins") == ["cpu"]


def test_a_dead_webhook_fails_without_naming_its_token(tmp_path):
    import socket
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
