"""The fault matrix: every way the network, the endpoint or an answer can go
wrong, each played against an account of its own in one real collectd.

For every case: collectd keeps running, the plugin logs a clear line naming
the account and the cause, no value is invented, and the account recovers
at a later interval. Where nothing can change by itself (DNS, TLS), the
account keeps trying instead, interval after interval."""

import base64
import dataclasses
import json
import re
import subprocess
import time
import types
import typing

import pytest

from accounts import account_block
from harness import Collectd, Simulator, refusing_port, stop_pid, wait_for
from log_checks import CONTROL, FORGED, assert_log_forges_nothing

LIST = "DescribeDcdnRefreshTasks"
SECRET = "testsecret"
RETRIES = 4  # attempts per call (RETRY_MAX_ATTEMPTS): a fault this many
             # times fails a whole interval, whether retried or not


@dataclasses.dataclass
class Case:
    name: str
    cause: str  # a regular expression every log line of the account matches
    faults: typing.Sequence[dict] = ()  # simulator faults on this account's key
    extra: str = ""  # more account options
    level: str = "error"
    recovers: bool = True
    endpoint: str = ""  # not the main simulator: "refused", "dns", "tls-..."
    task_id: str = ""  # of the account's one task; default: by position
    true_page: bool = False  # the faulty page also holds that task, truly

    @property
    def key(self):
        return f"key-{self.name}"

    @property
    def domain(self):
        return domain_of(self.name)

    @property
    def series(self):
        return f"dcdn-{self.domain}/count-file-complete"


def domain_of(case_name):
    return f"{case_name.replace('_', '-')}.example.com"


def list_fault(kind, times=RETRIES, **spec):
    return {"kind": kind, "action": LIST, "times": times, **spec}


def page(tasks, total=None):
    return json.dumps({"RequestId": "FAULT", "PageNumber": 1, "PageSize": 50,
                       "TotalCount": len(tasks) if total is None else total,
                       "Tasks": {"Task": tasks}})


def api_task(domain, **fields):
    task = {"TaskId": "9", "ObjectPath": f"http://{domain}/x", "ObjectType": "file",
            "Status": "Complete", "Process": "100%",
            "CreationTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))}
    task.update(fields)
    return {k: v for k, v in task.items() if v is not None}


# What a hostile answer would write into a log line: a line of its own, a
# terminal's colour and erase-line escapes, a carriage return.
ESCAPES = "\u001b[31m\r\u001b[2K\x07"


def error_body(code, message, request_id="R-FAULT"):
    return json.dumps({"RequestId": request_id, "Code": code, "Message": message})


def html(status_line):
    return f"<html><head><title>{status_line}</title></head><body>{status_line}</body></html>"


def not_utf8():
    raw = b'{"RequestId":"\xff\xfe","TotalCount":0,"Tasks":{"Task":[]}}'
    return base64.b64encode(raw).decode()


CASES = [
    Case("refused", r"to http://127\.0\.0\.1:\d+ failed: .*(Couldn't connect|refused)",
         endpoint="refused"),
    # Timeout bounds a resolver that waits for an unreachable DNS server.
    Case("dns", r"to http://dcdn-simulator\.invalid failed: .*[Rr]esolv", endpoint="dns",
         extra="Timeout 2", recovers=False),
    Case("no_answer", r"failed: .*(Timeout was reached|timed out)",
         [list_fault("delay", seconds=4)], extra="Timeout 1"),
    Case("trickle", r"failed: .*(Timeout was reached|timed out)",
         [list_fault("trickle", seconds=6)], extra="Timeout 1"),
    Case("reset", r"failed: .*(reset|Empty reply|Recv failure|closed before any answer)",
         [list_fault("reset")]),
    Case("reset_mid_body", r"failed: .*(reset|Recv failure|transfer closed|partial)",
         [list_fault("reset", body_bytes=20)]),
    Case("http_500", r'failed: HTTP 500, Code "InternalError"',
         [list_fault("status", http=500, code="InternalError")]),
    Case("http_502", r"failed: HTTP 502 from http://.* with .*not valid JSON",
         [list_fault("body", http=502, body=html("502 Bad Gateway"))]),
    Case("http_503", r'failed: HTTP 503, Code "ServiceUnavailable"',
         [list_fault("status", http=503, code="ServiceUnavailable")]),
    Case("http_504", r"failed: HTTP 504 from http://.* with .*not valid JSON",
         [list_fault("body", http=504, body=html("504 Gateway Time-out"))]),
    Case("error_body_200", r'failed: HTTP 200, Code "InternalError", RequestId "',
         [list_fault("status", http=200, code="InternalError")]),
    Case("truncated_json", r"HTTP 200 from .* not valid JSON",
         [list_fault("body", body='{"RequestId":"T","TotalCount":1,"Tasks":{"Ta')]),
    Case("invalid_utf8", r"HTTP 200 from .* not valid JSON.*UTF",
         [list_fault("body", body_base64=not_utf8())]),
    Case("total_count_string", r'field "TotalCount" is missing or not a whole number',
         [list_fault("body", body=page([], total="1"))]),
    Case("task_object", r'field "Tasks\.Task" is not an array',
         [list_fault("body", body=json.dumps({"TotalCount": 1, "Tasks": {"Task": {}}}))]),
    # A task that cannot be read is skipped with a warning; the rest of the
    # page (the account's real task) counts.
    Case("number_for_string", r"field TaskId is unreadable; the task is skipped",
         [list_fault("body", body=page([api_task(domain_of("number_for_string"), TaskId="778"),
                                        api_task("x.example.com", TaskId=7)]))],
         level="warning", task_id="778", true_page=True),
    Case("missing_field", r"task 9: field Status is unreadable; the task is skipped",
         [list_fault("body", body=page([api_task(domain_of("missing_field"), TaskId="779"),
                                        api_task("x.example.com", Status=None)]))],
         level="warning", task_id="779", true_page=True),
    Case("deep_nesting", r"nested",
         [list_fault("body", body="[" * 100000 + "]" * 100000)]),
    Case("too_large", r"answer larger than 4096 bytes",
         [list_fault("body", body=page([api_task(f"{i}.example.com", TaskId=str(i))
                                        for i in range(1, 100)]))],
         extra="MaxResponseSize 4096"),
    Case("clock", r'HTTP 400, Code "InvalidTimeStamp\.Expired".*check NTP',
         [list_fault("status", http=400, code="InvalidTimeStamp.Expired")]),
    # The page is true but for its TotalCount: the task in it is real.
    Case("absurd_total", r"page 1 held 1 tasks, yet TotalCount is 1000000000000000; "
                         r"taking it as the last page",
         [list_fault("body", body=page([api_task(domain_of("absurd_total"), TaskId="777")],
                                       total=10 ** 15))], level="warning", task_id="777",
         true_page=True),
    # Later pages repeat tasks of the page before: each counts once, no error.
    Case("duplicate_ids", r"(?!)", [list_fault("shift", count=5, times=3)], level=None),
    # An answer's text in an error line is made printable: one line, no
    # control byte (test_no_answer_forges_a_log_line_or_names_a_series).
    Case("message_injection",
         r'failed: HTTP 503, Code "ServiceUnavailable", RequestId "R-[^"]*forged RequestId", '
         r'Message "Unavailable\.[^"]*forged Message[^"]*"$',
         [list_fault("body", http=503, body=error_body(
             "ServiceUnavailable", f"Unavailable.{FORGED} Message{ESCAPES}",
             request_id=f"R-{ESCAPES}{FORGED} RequestId"))]),
    Case("code_control_bytes", r'failed: HTTP 503, Code "Internal[^"]*Error", RequestId "R-FAULT"',
         [list_fault("body", http=503, body=error_body(f"Internal{ESCAPES}{FORGED}Error", "x"))]),
    Case("tls_unknown_ca", r"to https://.* failed: .*certificate", endpoint="tls-unknown-ca",
         recovers=False),
    Case("tls_wrong_host", r"to https://.* failed: .*(subject name|host name)",
         endpoint="tls-wrong-host", recovers=False),
    Case("tls_expired", r"to https://.* failed: .*expired", endpoint="tls-expired",
         recovers=False),
]
SIM_CASES = [c for c in CASES if not c.endpoint]


def case_named(name):
    return next(c for c in CASES if c.name == name)
DUPLICATE_TASKS = 60  # more than a page of 50, so a second page is read


def scenario():
    tasks = [{"id": c.task_id or str(100 + i), "path": f"http://{c.domain}/x", "created": -60,
              "key": c.key}
             for i, c in enumerate(CASES) if c.name != "duplicate_ids"]
    dup = case_named("duplicate_ids")
    generate = [{"count": DUPLICATE_TASKS, "domains": [dup.domain], "types": ["file"],
                 "created_from": -900, "created_to": -60, "key": dup.key}]
    faults = [dict(f, key=c.key) for c in SIM_CASES for f in c.faults]
    return {"tasks": tasks, "generate": generate, "faults": faults}


# -- certificates ---------------------------------------------------------------

CA_CONFIG = """[ ca ]
default_ca = ca_default
[ ca_default ]
database = {dir}/index.txt
new_certs_dir = {dir}
serial = {dir}/serial
default_md = sha256
policy = policy_any
copy_extensions = copy
[ policy_any ]
commonName = supplied
"""


def self_signed(directory, san, start="", end=""):
    """A self-signed certificate (its own CA) for san, valid from start to
    end (YYYYMMDDhhmmssZ; default: from now for two days). Returns
    (cert, key) paths."""
    directory.mkdir()
    cert, key, req = directory / "cert.pem", directory / "key.pem", directory / "req.pem"
    (directory / "index.txt").write_text("")
    (directory / "serial").write_text("01\n")
    (directory / "ca.cnf").write_text(CA_CONFIG.format(dir=directory))
    run = lambda *cmd: subprocess.run(cmd, check=True, capture_output=True)
    run("openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
        "-subj", "/CN=dcdn-simulator", "-addext", f"subjectAltName={san}",
        "-addext", "basicConstraints=critical,CA:TRUE", "-out", str(req))
    dates = ["-startdate", start, "-enddate", end] if start else ["-days", "2"]
    run("openssl", "ca", "-batch", "-config", str(directory / "ca.cnf"), "-selfsign",
        "-keyfile", str(key), "-in", str(req), "-out", str(cert), *dates)
    return cert, key


TLS_SERVERS = {  # endpoint: (subjectAltName, validity, trusted with CACert)
    "tls-unknown-ca": ("IP:127.0.0.1", (), False),
    "tls-wrong-host": ("DNS:dcdn.example.com", (), True),
    "tls-expired": ("IP:127.0.0.1", ("20200101000000Z", "20200201000000Z"), True),
}


# -- the run ------------------------------------------------------------------


class Matrix:
    def __init__(self, workdir):
        self.workdir = workdir
        self.sims = []
        self.daemon = None
        self.late_sim = None

    def start(self):
        keys = [f"{c.key}:{SECRET}" for c in CASES]
        self.sim = self._simulator(self.workdir / "sim", scenario=scenario(), credentials=keys)
        self.refused_port, self.refusing = refusing_port()
        endpoints = {"refused": f"http://127.0.0.1:{self.refused_port}",
                     "dns": "http://dcdn-simulator.invalid"}
        trust = {}
        for name, (san, dates, trusted) in TLS_SERVERS.items():
            cert, key = self_signed(self.workdir / name, san, *dates)
            tls = self._simulator(self.workdir / f"sim-{name}", credentials=keys,
                                  args=["--tls-cert", str(cert), "--tls-key", str(key)])
            endpoints[name] = tls.url
            trust[name] = f'CACert "{cert}"' if trusted else ""
        blocks = []
        for case in CASES:
            where = (types.SimpleNamespace(url=endpoints[case.endpoint], workdir=self.workdir)
                     if case.endpoint else self.sim)
            extra = "\n".join(x for x in (case.extra, trust.get(case.endpoint, "")) if x)
            blocks.append(account_block(case.name, where, key=case.key, secret=SECRET,
                                        domains=[case.domain], extra=extra))
        (self.workdir / "collectd").mkdir()
        self.daemon = Collectd(self.workdir / "collectd", "\n".join(blocks),
                               extra_config="ReadThreads 30")
        self.daemon.config_path.chmod(0o600)  # no warning about its secrets
        self.daemon.start()

    def _simulator(self, directory, **kwargs):
        directory.mkdir()
        sim = Simulator(directory, **kwargs)
        self.sims.append(sim)
        return sim

    def bring_up_refused_endpoint(self):
        """The endpoint that refused connections starts listening."""
        wait_for(lambda: self.errors(CASES[0]), what="the refused connection")
        directory = self.workdir / "sim-late"
        self.refusing.close()
        self.late_sim = self._simulator(
            directory, scenario={"tasks": [{"id": "1", "path": f"http://{CASES[0].domain}/x",
                                            "created": -60}]},
            credentials=[f"{CASES[0].key}:{SECRET}"],
            args=["--listen", f"127.0.0.1:{self.refused_port}"])

    def settled(self):
        values = self.daemon.values()
        return all(c.series in values if c.recovers else len(self.errors(c)) >= 2
                   for c in CASES)

    def lines(self, case, level):
        return self.daemon.log_lines(f'[{level}] dcdn plugin: account "{case.name}"')

    def errors(self, case):
        return self.lines(case, "error")

    def calls(self, case):
        """The account's list calls, as its simulator recorded them."""
        sim = self.late_sim if case.endpoint == "refused" else self.sim
        return [r for r in sim.records(LIST) if r["key"] == case.key]

    def faulted(self, case):
        return [r for r in self.calls(case) if r["fault"]]

    def stop(self):
        if self.daemon is not None:
            self.daemon.stop()
        for sim in self.sims:
            stop_pid(sim.proc)
        if getattr(self, "refusing", None) is not None:
            self.refusing.close()


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    m = Matrix(tmp_path_factory.mktemp("faults"))
    try:
        m.start()
        m.bring_up_refused_endpoint()
        wait_for(m.settled, timeout=90, interval=0.5, what="every case to recover or retry")
        yield m
    finally:
        m.stop()


def test_collectd_survives_the_whole_matrix(matrix):
    assert matrix.daemon.alive()
    # A failed poll is no failed read: collectd's backoff never delays the
    # next interval (MaxReadInterval is collectd's default, a day).
    assert not matrix.daemon.log_lines("suspend")
    assert not matrix.daemon.log_lines("AddressSanitizer")
    assert not matrix.daemon.log_lines("runtime error")
    assert SECRET not in matrix.daemon.log()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fault(matrix, case):
    daemon = matrix.daemon
    if case.level is None:
        assert not [l for l in daemon.log_lines(f'account "{case.name}"')
                    if "[error]" in l or "[warning]" in l]
    else:
        lines = matrix.lines(case, case.level)
        assert lines, f"nothing logged for {case.name}"
        for line in lines:
            assert re.search(case.cause, line), line
        if case.level != "error":
            assert not matrix.errors(case)
    if case.recovers:
        assert_no_value_before_a_good_answer(matrix, case)
    else:
        assert not [s for s in daemon.values() if s.startswith(f"dcdn-{case.domain}/count-")]
        # Each failing interval tries again (and says so once: retries
        # within an interval are not logged).
        assert len(matrix.errors(case)) >= 2


def assert_no_value_before_a_good_answer(matrix, case):
    rows = matrix.daemon.rows(case.series)
    assert rows, f"{case.name} did not recover"
    good = [r["t"] for r in matrix.calls(case)
            if r["status"] == 200 and r["fault"] in (None, "shift")]
    if not case.true_page:
        assert good and rows[0][0] >= min(good) - 1.0, (rows[0], good[:1])
    expected = DUPLICATE_TASKS if case.name == "duplicate_ids" else 1.0
    assert rows[-1][1] == expected


def test_a_fault_costs_one_line_per_failing_interval(matrix):
    for case in SIM_CASES:
        assert len(matrix.lines(case, case.level or "error")) <= len(matrix.faulted(case)), \
            case.name


@pytest.mark.parametrize("name", ["http_500", "http_503", "error_body_200", "reset",
                                  "truncated_json", "invalid_utf8"])
def test_a_retried_fault_is_one_line_for_all_its_attempts(matrix, name):
    case = case_named(name)
    assert len(matrix.faulted(case)) == RETRIES
    assert len(matrix.errors(case)) == 1


def test_an_absurd_total_count_costs_no_second_page(matrix):
    pages = [r["params"].get("PageNumber") for r in matrix.calls(case_named("absurd_total"))]
    assert pages and set(pages) == {"1"}, pages


def test_duplicate_task_ids_across_pages_were_served(matrix):
    shifted = matrix.faulted(case_named("duplicate_ids"))
    assert shifted and all(r["params"]["PageNumber"] == "2" for r in shifted)


def test_no_answer_forges_a_log_line_or_names_a_series(matrix):
    """Whatever an answer held (newlines, escapes, a carriage return in its
    Message, RequestId or Code): every line of the log is one the logger
    began, with no control byte, and no CSV series (errors-<Code>) has a
    control byte in its name."""
    assert_log_forges_nothing(matrix.daemon)
    names = [p.name for p in matrix.daemon.csv_dir.rglob("*")]
    assert not [n for n in names if CONTROL.search(n.encode())], names
