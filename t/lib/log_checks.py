"""What collectd.log must look like whatever an answer says: every line one
the logger began (a timestamp and a severity first), valid UTF-8, with no
control byte. FORGED is the text hostile answers carry to try to start a
line of their own; CONTROL finds a control byte anywhere (a log line, a
notification, a file name)."""

import re

FORGED = "\n[error] dcdn plugin: forged"
# Every line logfile writes: "[YYYY-MM-DD hh:mm:ss] [severity] ...".
LOG_LINE = re.compile(rb"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[(debug|info|notice|warning|error)\] ")
CONTROL = re.compile(rb"[\x00-\x1f\x7f]")


def assert_log_forges_nothing(daemon):
    """Each line of collectd.log is one the logger began (no value of an
    answer started a line of its own), valid UTF-8, with no control byte
    (no ESC for a terminal, no CR to hide what came before)."""
    data = daemon.log_path.read_bytes()
    data.decode("utf-8")  # strict: raises on a sequence cut in half
    for line in data.split(b"\n")[:-1]:
        assert LOG_LINE.match(line), f"a line the logger did not begin: {line!r}"
        assert not CONTROL.search(line), f"a control byte in the log: {line!r}"
        assert not re.match(rb"\s*(\[\w+\] )?(dcdn plugin: )?forged", line), line

