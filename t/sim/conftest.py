"""Fixtures for the simulator's tests; the helpers live in simclient.py."""

import pytest

from simclient import launch


@pytest.fixture
def start_sim(tmp_path):
    """Factory: start_sim(scenario=None, args=(), rate_limit="0").  Every
    simulator started is stopped by PID afterwards and must exit 0."""
    started = []

    def start(scenario=None, args=(), rate_limit="0"):
        sim = launch(tmp_path, scenario, args, rate_limit)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        if sim.proc.poll() is None:
            assert sim.stop() == 0


@pytest.fixture
def sim(start_sim):
    """A simulator with the built-in scenario and no rate limit."""
    return start_sim()
