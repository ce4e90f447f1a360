"""Fixtures: every test gets its own directory, simulator(s) and collectd,
all stopped by PID when the test ends."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))

from harness import Collectd, NotificationSink, Simulator  # noqa: E402


@pytest.fixture
def start_simulator(tmp_path):
    started = []

    def start(**kwargs):
        sim = Simulator(tmp_path, **kwargs)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        assert sim.stop() == 0, "the simulator did not exit cleanly on SIGTERM"


@pytest.fixture
def start_collectd(tmp_path):
    started = []

    def start(plugin_config, **kwargs):
        daemon = Collectd(tmp_path, plugin_config, **kwargs)
        started.append(daemon)
        return daemon.start()

    yield start
    for daemon in started:
        daemon.stop()


@pytest.fixture
def notifications():
    sink = NotificationSink()
    yield sink
    sink.remove()


def account_block(name, sim, key="testid", secret="testsecret", domains=(),
                  extra=""):
    """An <Account> block pointing at a simulator. domains: names, or
    (name, [object types]) pairs for a <Domain> block."""
    lines = [f'<Account "{name}">', f'  AccessKeyId "{key}"',
             f'  AccessKeySecret "{secret}"', f'  Endpoint "{sim.url}"',
             f'  StateDir "{sim.workdir}/state"']
    for domain in domains:
        if isinstance(domain, tuple):
            types = " ".join(f'"{t}"' for t in domain[1])
            lines += [f'  <Domain "{domain[0]}">', f"    ObjectType {types}", "  </Domain>"]
        else:
            lines.append(f'  Domain "{domain}"')
    lines += ["  " + line for line in extra.splitlines()]
    lines.append("</Account>")
    return "\n".join(lines)
