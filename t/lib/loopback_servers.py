#!/usr/bin/env python3
"""Three small servers for the transport tests, each a real process on
loopback that prints "listening PORT" once ready and runs until SIGTERM:

  record FILE
      accepts TCP connections and appends the first line of each to FILE,
      then closes it: a proxy that must never be used;
  tls-relay CERT KEY VERSION HOST:PORT
      a TLS server of at most protocol VERSION (1.1, 1.2 or 1.3) that
      relays each connection to the plain HTTP server at HOST:PORT;
  auth-proxy CREDENTIALS FILE
      a plain-http forward proxy with Basic authentication that takes any
      user and password (unlike tinyproxy's, which holds letters, digits,
      '-', '.' and '_' only): it appends each request's credentials, as
      they arrived (decoded from Base64), to FILE, answers 407 unless they
      are the text of the file CREDENTIALS (its trailing newline aside),
      and else forwards the request to the host of its absolute URL, one
      request a connection.

Imported, LoopbackServer starts one and stops it by PID."""

import base64
import pathlib
import select
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import urllib.parse
import warnings

VERSIONS = {"1.1": "TLSv1_1", "1.2": "TLSv1_2", "1.3": "TLSv1_3"}


class LoopbackServer:
    """One of these servers as a real process; url is http://127.0.0.1:PORT."""

    def __init__(self, workdir, *args):
        from harness import stop_pid
        self._stop_pid = stop_pid
        self.stderr = open(pathlib.Path(workdir) / f"{args[0]}-server.log", "a")
        self.proc = subprocess.Popen([sys.executable, __file__, *map(str, args)],
                                     stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "listening":
            self.stop()
            raise AssertionError(f"{args[0]} server did not start, see {self.stderr.name}")
        self.port = int(line[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self):
        code = self._stop_pid(self.proc)
        self.proc.stdout.close()
        self.stderr.close()
        return code


class Recorder(socketserver.BaseRequestHandler):
    lock = threading.Lock()
    path = None

    def handle(self):
        self.request.settimeout(5)
        data = b""
        try:
            while b"\n" not in data and len(data) < 8192:
                chunk = self.request.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        line = data.split(b"\n")[0].decode("latin-1").strip() or "(no request line)"
        with self.lock, open(self.path, "a") as log:
            log.write(line + "\n")


class Relay(socketserver.BaseRequestHandler):
    context = None
    upstream = None

    def handle(self):
        self.request.settimeout(10)
        try:
            tls = self.context.wrap_socket(self.request, server_side=True)
        except (ssl.SSLError, OSError) as err:
            print(f"handshake refused: {err}", file=sys.stderr, flush=True)
            return
        print(f"handshake: {tls.version()}", file=sys.stderr, flush=True)
        try:
            with tls, socket.create_connection(self.upstream, timeout=30) as up:
                pump(tls, up)
        except OSError:
            pass


class AuthProxy(socketserver.BaseRequestHandler):
    lock = threading.Lock()
    expected = None
    path = None
    REFUSED = (b"HTTP/1.1 407 Proxy Authentication Required\r\n"
               b'Proxy-Authenticate: Basic realm="test"\r\n'
               b"Content-Length: 0\r\nConnection: close\r\n\r\n")

    def handle(self):
        self.request.settimeout(10)
        reader = self.request.makefile("rb")
        request_line = reader.readline().decode("latin-1").split()
        credentials, kept = "(none)", []
        for line in iter(reader.readline, b""):
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "proxy-authorization":
                scheme, _, encoded = value.strip().partition(" ")
                credentials = base64.b64decode(encoded).decode("utf-8", "replace") \
                    if scheme.lower() == "basic" else value.strip()
            elif name not in ("proxy-connection", "connection"):
                kept.append(line)
        with self.lock, open(self.path, "a") as record:
            record.write(credentials + "\n")
        if credentials != self.expected or len(request_line) != 3:
            self.request.sendall(self.REFUSED)
            return
        url = urllib.parse.urlsplit(request_line[1])
        target = (url.path or "/") + (f"?{url.query}" if url.query else "")
        with socket.create_connection((url.hostname, url.port or 80), timeout=10) as up:
            up.sendall(f"{request_line[0]} {target} HTTP/1.1\r\n".encode("latin-1")
                       + b"".join(kept) + b"Connection: close\r\n\r\n")
            answer = b"".join(iter(lambda: up.recv(65536), b""))
        head, _, body = answer.partition(b"\r\n\r\n")
        lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"connection:")]
        self.request.sendall(b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n" + body)


def pump(tls, plain):
    """Copies both ways until either side closes or both are idle 30 s."""
    while True:
        readable, _, _ = select.select([tls, plain], [], [], 30)
        if not readable:
            return
        for source in readable:
            target = plain if source is tls else tls
            data = source.recv(65536)
            if not data:
                return
            target.sendall(data)
            while source is tls and tls.pending():
                target.sendall(tls.recv(65536))


def tls_context(cert, key, version):
    warnings.simplefilter("ignore", DeprecationWarning)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # else OpenSSL 3 offers no TLS < 1.2
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.maximum_version = getattr(ssl.TLSVersion, VERSIONS[version])
    context.load_cert_chain(cert, key)
    return context


def serve(handler):
    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"listening {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def main(argv):
    if argv[:1] == ["record"] and len(argv) == 2:
        Recorder.path = argv[1]
        serve(Recorder)
    elif argv[:1] == ["tls-relay"] and len(argv) == 5 and argv[3] in VERSIONS:
        Relay.context = tls_context(argv[1], argv[2], argv[3])
        host, port = argv[4].rsplit(":", 1)
        Relay.upstream = (host, int(port))
        serve(Relay)
    elif argv[:1] == ["auth-proxy"] and len(argv) == 3:
        AuthProxy.expected = pathlib.Path(argv[1]).read_text().rstrip("\r\n")
        AuthProxy.path = argv[2]
        serve(AuthProxy)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
