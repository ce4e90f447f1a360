"""Times as the API writes them (yyyy-MM-ddTHH:mm:ssZ, UTC) and the
simulator's clock: the real clock plus an offset that --clock-offset and
the scenario's "clock" steps set."""

import calendar
import dataclasses
import re
import time
import typing

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
TIME_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def parse_api_time(text: str) -> typing.Optional[int]:
    """Strict yyyy-MM-ddTHH:mm:ssZ (UTC) -> epoch seconds, or None."""
    if not TIME_PATTERN.fullmatch(text):
        return None
    try:
        return calendar.timegm(time.strptime(text, TIME_FORMAT))
    except ValueError:
        return None


def format_api_time(epoch: float) -> str:
    return time.strftime(TIME_FORMAT, time.gmtime(epoch))


@dataclasses.dataclass(frozen=True)
class Clock:
    """The simulator's clock: the real clock plus an offset (--clock-offset),
    which the scenario's "clock" steps may change during the run.  Every
    time the API shows or checks comes from here; only durations (fault
    windows, the rate window, nonce memory, metadata session tokens) run on
    the real clock."""
    start: float                    # real epoch seconds of the simulator's start
    offset: float = 0.0             # before the first step
    steps: typing.Tuple[typing.Tuple[float, float], ...] = ()  # (from, offset), from rising

    @property
    def zero(self) -> int:
        """The scenario's zero: the clock at the start, in whole seconds."""
        return int(self.start + self.offset)

    def offset_at(self, real: float) -> float:
        offset = self.offset
        for since, step in self.steps:
            if since <= real - self.start:
                offset = step
        return offset

    def at(self, real: float) -> float:
        """The simulator's time at real epoch second `real`."""
        return real + self.offset_at(real)

    def now(self) -> float:
        return self.at(time.time())
