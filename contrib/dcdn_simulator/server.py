"""HTTP(S): the request handler that reads a request (Content-Length or
chunked body), hands it to the Simulator and writes the reply (whole,
trickled, or cut by a TCP reset), and the threading server that runs TLS
handshakes in each connection's own thread."""

import email.utils
import http.server
import socket
import ssl
import struct
import sys
import time
import typing
import urllib.parse

from .request import Reply, classify_request
from .simulator import Simulator

MAX_BODY_BYTES = 1 << 20


class RequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"     # keep-alive, as the real endpoint allows
    server_version = "Tengine"
    sys_version = ""
    timeout = 60                      # idle keep-alive connections go away

    def do_GET(self):
        try:
            self._serve()
        except (ConnectionError, socket.timeout, ssl.SSLError):
            self.close_connection = True

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _serve(self):
        arrival = time.time()
        body = self._read_body()
        if body is None:
            return
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        headers = {}
        for name in set(k.lower() for k in self.headers.keys()):
            headers[name] = ",".join(sorted(v.strip() for v in self.headers.get_all(name)))
        req = classify_request(self.command, url.path, query, headers, body, arrival)
        req.peer = self.client_address[0]
        reply = self.server.simulator.handle(req)
        if reply.reset:
            self._reset(reply)
        else:
            self._send(reply)

    def _read_body(self) -> typing.Optional[bytes]:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.send_error(413)
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        data = b""
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass    # trailers
                return data
            data += self.rfile.read(size)
            self.rfile.readline()
            if len(data) > MAX_BODY_BYTES:
                raise ConnectionError("request body too large")

    def _start_reply(self, reply: Reply):
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if reply.request_id:
            self.send_header("x-acs-request-id", reply.request_id)
        self.end_headers()

    def _send(self, reply: Reply):
        self._start_reply(reply)
        if reply.trickle_seconds > 0 and reply.body:
            self._trickle(reply.body, reply.trickle_seconds)
        else:
            self.wfile.write(reply.body)
        self.wfile.flush()

    def _trickle(self, body: bytes, seconds: float):
        """One byte at a time, evenly over `seconds`: each byte arrives, so a
        client that only watches for silence never times out."""
        gap = seconds / len(body)
        for i in range(len(body)):
            self.wfile.write(body[i:i + 1])
            self.wfile.flush()
            time.sleep(gap)

    def _reset(self, reply: Reply):
        """Abort the connection with a TCP RST, after a partial answer if asked."""
        if reply.reset_after_body_bytes is not None:
            self._start_reply(reply)
            self.wfile.write(reply.body[:reply.reset_after_body_bytes])
            self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()   # closing here, not via shutdown(), sends RST not FIN
        except OSError:
            pass

    def date_time_string(self, timestamp=None):
        """The Date header of every answer, from the simulator's clock."""
        if timestamp is None:
            timestamp = self.server.simulator.clock.now()
        return email.utils.formatdate(timestamp, usegmt=True)

    def log_request(self, code="-", size="-"):
        pass    # the simulator logs one line of its own per request

    def log_message(self, fmt, *args):
        sys.stderr.write(f"dcdn-simulator: {self.address_string()} {fmt % args}\n")


class SimulatorServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, simulator: Simulator, tls: typing.Optional[ssl.SSLContext] = None):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.simulator = simulator
        self.tls = tls
        super().__init__(address, RequestHandler)

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the connection's own thread, so a
        # slow client cannot stall accept().
        if self.tls is not None:
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as err:
                sys.stderr.write(f"dcdn-simulator: TLS handshake with {client_address[0]} failed: {err}\n")
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        err = sys.exc_info()[1]
        sys.stderr.write(f"dcdn-simulator: error serving {client_address[0]}: {err!r}\n")
