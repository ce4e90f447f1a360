"""Helpers for the simulator's tests: put the package contrib/dcdn_simulator
on the import path, start contrib/dcdn-simulator as a real process on a
free loopback port, and talk to it with signed V1 or V3 requests.  (Not in
conftest.py: the tests import from it, and `import conftest` is ambiguous
when pytest runs t/sim with t/integration.)"""

import http.client
import json
import os
import pathlib
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[2]
SIMULATOR = ROOT / "contrib" / "dcdn-simulator"
SCENARIOS = ROOT / "contrib" / "scenarios"
KEY, SECRET = "testid", "testsecret"

# The tests import the package's modules as they are; no __pycache__ is left
# beside it (debian/rules ships the directory whole).
sys.dont_write_bytecode = True
sys.path.insert(0, str(ROOT / "contrib"))
from dcdn_simulator import signing  # noqa: E402


def api_time(epoch=None):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if epoch is None else epoch))


class Response:
    def __init__(self, status, headers, body, elapsed):
        self.status = status
        self.headers = headers
        self.body = body
        self.elapsed = elapsed

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def code(self):
        return self.json.get("Code")

    def __repr__(self):
        return f"<Response {self.status} {self.body[:300]!r}>"


class RunningSimulator:
    """A simulator process plus a client that signs the way the SDKs do."""

    def __init__(self, proc, url, record, cafile=None):
        self.proc = proc
        # Drain stderr all along: a full pipe would block the simulator's log.
        self._log = []
        self._log_reader = threading.Thread(target=lambda: self._log.extend(proc.stderr), daemon=True)
        self._log_reader.start()
        self.url = url
        parsed = urllib.parse.urlsplit(url)
        self.scheme, self.host, self.port = parsed.scheme, parsed.hostname, parsed.port
        self.record_path = record
        self.cafile = cafile

    # -- process ---------------------------------------------------------
    def stop(self, sig=signal.SIGTERM, timeout=5):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
        try:
            return self.proc.wait(timeout)
        finally:
            self._log_reader.join(timeout)
            self.proc.stdout.close()

    def log(self):
        """What the simulator wrote to stderr (complete once stopped)."""
        return "".join(self._log)

    def records(self):
        with open(self.record_path) as f:
            return [json.loads(line) for line in f]

    # -- requests --------------------------------------------------------
    def connection(self, timeout=5):
        if self.scheme == "https":
            ctx = ssl.create_default_context(cafile=self.cafile)
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=ctx)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def raw(self, method, target, headers=None, body=b""):
        conn = self.connection()
        try:
            began = time.monotonic()
            conn.request(method, target, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return Response(resp.status, dict(resp.getheaders()), data, time.monotonic() - began)
        finally:
            conn.close()

    # -- the ECS metadata service (--ram-role) -------------------------------
    def metadata_token(self, ttl="21600"):
        """PUT /latest/api/token; returns the Response (the token is its body)."""
        headers = {} if ttl is None else {"X-aliyun-ecs-metadata-token-ttl-seconds": str(ttl)}
        return self.raw("PUT", "/latest/api/token", headers)

    def metadata(self, path="/latest/meta-data/ram/security-credentials/", token=None, method="GET"):
        headers = {} if token is None else {"X-aliyun-ecs-metadata-token": token}
        return self.raw(method, path, headers)

    def role_credentials(self, role, token=None):
        """The role's credentials as a dict; asserts a 200."""
        resp = self.metadata(f"/latest/meta-data/ram/security-credentials/{role}", token)
        assert resp.status == 200, resp
        return resp.json

    def call(self, action="DescribeDcdnRefreshTasks", params=None, *, sig="v3", method="POST",
             key=KEY, secret=SECRET, token=None, version="2018-01-15", timestamp=None,
             nonce=None, form=None, extra_headers=None, signed_headers=None, drop=(),
             after_signing=None, path="/"):
        """One signed call.  `form` goes in an x-www-form-urlencoded body;
        `drop` removes params/headers after signing; `after_signing(query,
        headers)` may tamper with the request before it is sent."""
        params = {k: str(v) for k, v in (params or {}).items()}
        form = {k: str(v) for k, v in (form or {}).items()}
        timestamp = timestamp or api_time()
        nonce = nonce or uuid.uuid4().hex
        body = urllib.parse.urlencode(form).encode() if form else b""
        headers = {"host": f"{self.host}:{self.port}"}
        if form:
            headers["content-type"] = "application/x-www-form-urlencoded"
        headers.update(extra_headers or {})
        if sig == "v1":
            query = self._sign_v1(method, params, form, key, secret, token, version, action,
                                  timestamp, nonce)
        else:
            query = dict(params)
            self._sign_v3(method, path, query, headers, body, key, secret, token, version,
                          action, timestamp, nonce, signed_headers)
        for name in drop:
            query.pop(name, None)
            headers.pop(name, None)
        if after_signing:
            after_signing(query, headers)
        encode = signing.percent_encode
        target = path + ("?" + "&".join(f"{encode(k)}={encode(v)}" for k, v in query.items()) if query else "")
        return self.raw(method, target, headers, body)

    @staticmethod
    def _sign_v1(method, params, form, key, secret, token, version, action, timestamp, nonce):
        query = {"Action": action, "Version": version, "Format": "JSON", "AccessKeyId": key,
                 "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
                 "SignatureNonce": nonce, "Timestamp": timestamp, **params}
        if token:
            query["SecurityToken"] = token
        string_to_sign = signing.v1_string_to_sign(method, {**query, **form})
        query["Signature"] = signing.v1_signature(secret, string_to_sign)
        return query

    @staticmethod
    def _sign_v3(method, path, query, headers, body, key, secret, token, version, action,
                 timestamp, nonce, signed_headers):
        headers.update({"x-acs-action": action, "x-acs-version": version, "x-acs-date": timestamp,
                        "x-acs-signature-nonce": nonce,
                        "x-acs-content-sha256": signing.sha256_hex(body)})
        if token:
            headers["x-acs-security-token"] = token
        if signed_headers is None:
            signed_headers = sorted(h for h in headers if h in ("host", "content-type") or h.startswith("x-acs-"))
        canonical = signing.v3_canonical_request(method, path, query, headers, signed_headers,
                                                 signing.sha256_hex(body))
        signature = signing.v3_signature(secret, signing.v3_string_to_sign(canonical))
        headers["authorization"] = (f"ACS3-HMAC-SHA256 Credential={key},"
                                    f"SignedHeaders={';'.join(signed_headers)},Signature={signature}")


RAM_MESSAGE = "User not authorized to operate on the specified resource, or this API doesn't support RAM."


def answered_tasks(resp):
    """The task objects of a 200 list (DCDN's Tasks.Task, CDN's
    Tasks.CDNTask, ESA's flat Tasks) or by-id answer, in their order."""
    assert resp.status == 200, resp
    found = resp.json["Tasks"]
    if isinstance(found, dict):
        [found] = found.values()
    return found


def task_ids(resp):
    return [t["TaskId"] for t in answered_tasks(resp)]


def assert_forbidden(resp):
    """403 Forbidden.RAM, in the service's error shape."""
    assert resp.status == 403, resp
    body = resp.json
    assert (body["Code"], body["Message"]) == ("Forbidden.RAM", RAM_MESSAGE)
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}


def exits_2(tmp_path, scenario=None, args=()):
    """Starts a simulator that must refuse to run: exit 2, nothing on
    stdout; returns its stderr."""
    proc = launch(tmp_path, scenario, args, expect_ready=False)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 2 and out == "", err
    return err


def launch(tmp_path, scenario=None, args=(), rate_limit="0", expect_ready=True):
    """Starts the simulator; returns RunningSimulator (or the Popen if the
    process is expected to fail)."""
    cmd = [sys.executable, str(SIMULATOR), "--listen", "127.0.0.1:0",
           "--record", str(tmp_path / "record.jsonl")]
    if scenario is not None:
        path = tmp_path / f"scenario-{uuid.uuid4().hex[:8]}.json"
        path.write_text(json.dumps(scenario))
        cmd += ["--scenario", str(path)]
    if rate_limit is not None:
        cmd += ["--rate-limit", rate_limit]
    cmd += list(args)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not expect_ready:
        return proc
    line = proc.stdout.readline().rstrip("\n")
    if not line.startswith("listening "):
        proc.kill()
        raise AssertionError(f"simulator did not start: {line!r} {proc.stderr.read()}")
    cafile = None
    if "--tls-cert" in args:
        cafile = args[list(args).index("--tls-cert") + 1]
    return RunningSimulator(proc, line.split(" ", 1)[1], tmp_path / "record.jsonl", cafile)
