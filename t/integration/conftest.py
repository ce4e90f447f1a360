"""pytest fixtures only: every test gets its own directory, simulator(s)
and collectd, all stopped by PID when the test ends. Shared test code
lives in t/lib/ (put on sys.path here); tests import it from there."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))

from harness import Collectd, NotificationSink, Simulator  # noqa: E402


# Every secret any test configures: none may reach a log line.
SECRETS = ("testsecret", "secret2", "secret-two", "wrongsecret", "filesecret",
           "inisecret", "envsecret", "ststoken-value", "stssecret")


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_any_log(tmp_path_factory):
    """After the whole suite: scan every log collectd wrote."""
    yield
    base = tmp_path_factory.getbasetemp()
    leaks = [(log, s) for log in base.rglob("collectd.log") for s in SECRETS
             if s in log.read_text(errors="replace")]
    assert not leaks, f"secrets in logs: {leaks}"


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

    def start(plugin_config, env=None, **kwargs):
        daemon = Collectd(tmp_path, plugin_config, **kwargs)
        started.append(daemon)
        return daemon.start(env=env)

    yield start
    for daemon in started:
        daemon.stop()


@pytest.fixture
def notifications():
    sink = NotificationSink()
    yield sink
    sink.remove()
