"""A Graphite (carbon plaintext) line receiver of the test's own, on a free
loopback port, in a thread: keeps every line write_graphite sends, so a
test can check the paths and values that really went out."""

import socket
import threading
import time


class CarbonCapture:
    """A plaintext carbon receiver on a free loopback port: keeps every
    line it receives."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.lines, self._buf, self._stop = [], {}, False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        conns, deadline = [], None
        while True:
            if self._stop:
                deadline = deadline or time.monotonic() + 2
                if not conns or time.monotonic() > deadline:
                    break
            try:
                conn, _ = self.sock.accept()
                conn.setblocking(False)
                conns.append(conn)
            except OSError:
                pass
            for conn in list(conns):
                try:
                    data = conn.recv(65536)
                except BlockingIOError:
                    time.sleep(0.01)
                    continue
                except OSError:
                    data = b""
                if not data:
                    conns.remove(conn)
                    conn.close()
                    continue
                buf = self._buf.get(conn, b"") + data
                *complete, self._buf[conn] = buf.split(b"\n")
                self.lines += [line.decode() for line in complete if line]
        for conn in conns:
            conn.close()

    def paths(self):
        return {line.split(" ")[0] for line in list(self.lines)}

    def stop(self):
        """Reads what is still on its way (2 s at most), then closes."""
        if not self._stop:
            self._stop = True
            self.thread.join(5)
            self.sock.close()
