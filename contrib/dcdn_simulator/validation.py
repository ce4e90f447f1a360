"""ScenarioError and the small checks every loader of a scenario (tasks,
generators, faults, RAM entries, policy documents, clock steps) uses, so
that each error names the member at fault."""

import typing


class ScenarioError(ValueError):
    """A scenario or RAM policy document that is not valid; the message
    names the member at fault."""


def require(cond: bool, where: str, what: str):
    if not cond:
        raise ScenarioError(f"{where}: {what}")


def number(value, where: str, name: str, integer: bool = False):
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if integer:
        ok = ok and float(value).is_integer()
    require(ok, where, f'"{name}" must be {"an integer" if integer else "a number"}')
    return int(value) if integer else float(value)


def known_members(spec: dict, allowed: typing.Iterable[str], where: str, comment: bool = True):
    # Typos in a scenario should fail loudly, not silently change a test.
    # A policy document takes no "comment": RAM would refuse it.
    unknown = set(spec) - set(allowed) - ({"comment"} if comment else set())
    require(not unknown, where, f"unknown member(s) {', '.join(sorted(unknown))}")


def optional_str(spec: dict, name: str, where: str):
    value = spec.get(name)
    require(value is None or isinstance(value, str), where, f'"{name}" must be a string')
    return value
