"""The command line: every option and its grammar, the checks between
options, and main(), which builds the simulator, listens, prints
"listening URL" and serves until SIGTERM or SIGINT."""

import argparse
import dataclasses
import json
import math
import signal
import ssl
import sys
import threading
import time
import typing

from .auth import grant_ram, parse_credential
from .clock import Clock
from .metadata import DEFAULT_STS_LIFETIME, METADATA_FAULTS, ROLE_NAME_PATTERN, MetadataService
from .ram import Statement, denied_actions, domain_grant, load_policy, ram_entries
from .scenario import DEFAULT_SCENARIO, ScenarioError, read_scenario
from .server import SimulatorServer
from .simulator import Recorder, Simulator
from .sts import DEFAULT_MAX_DURATION, MAX_MAX_DURATION, MIN_DURATION, StsService, parse_role_spec

DEFAULT_CREDENTIAL = "testid:testsecret"


def _key_and_list(text: str, item: str, parse) -> typing.Tuple[str, typing.FrozenSet[str]]:
    """ID=ITEM[,ITEM...] -> (ID, parse(the items)); the ID ends at the first
    '='.  `parse` raises ValueError for a bad list."""
    key_id, sep, names = text.partition("=")
    if not key_id or not sep:
        raise argparse.ArgumentTypeError(f"expected ID={item}[,{item}...], got {text!r}")
    try:
        return key_id, parse(names.split(",") if names else [])
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{key_id}: {err}") from None


def parse_ram_domains(text: str) -> typing.Tuple[str, typing.FrozenSet[str]]:
    """ID=DOMAIN[,DOMAIN...]; the ID ends at the first '='."""
    return _key_and_list(text, "DOMAIN", domain_grant)


def parse_ram_deny(text: str) -> typing.Tuple[str, typing.FrozenSet[str]]:
    """ID=ACTION[,ACTION...]; the ID ends at the first '='."""
    return _key_and_list(text, "ACTION", denied_actions)


def parse_ram_policy(text: str) -> typing.Tuple[str, typing.Tuple[Statement, ...]]:
    """ID=FILE, FILE a RAM policy document (JSON); the ID ends at the first '='."""
    key_id, sep, path = text.partition("=")
    if not key_id or not sep or not path:
        raise argparse.ArgumentTypeError(f"expected ID=FILE, got {text!r}")
    try:
        with open(path, encoding="utf-8") as f:
            return key_id, load_policy(json.load(f))
    except (OSError, ValueError) as err:     # ScenarioError and JSONDecodeError are ValueErrors
        raise argparse.ArgumentTypeError(f"{key_id}: {path}: {err}") from None


def parse_listen(text: str) -> typing.Tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError("expected HOST:PORT")
    return host.strip("[]") or "127.0.0.1", int(port)


def parse_role(text: str) -> str:
    if not ROLE_NAME_PATTERN.fullmatch(text):
        raise argparse.ArgumentTypeError(f"a RAM role name is 1 to 64 of A-Z a-z 0-9 . _ -, got {text!r}")
    return text


def parse_sts_role(text: str):
    try:
        return parse_role_spec(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def positive_number(integer: bool, low: float):
    def parse(text: str):
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            value = None
        if value is None or not value >= low or value == float("inf"):
            raise argparse.ArgumentTypeError(f"expected {'an integer' if integer else 'a number'} "
                                             f">= {low:g}, got {text!r}")
        return value
    return parse


def finite_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}")
    return value


def parse_args(argv):
    p = argparse.ArgumentParser(prog="dcdn-simulator",
                                description="A local stand-in for the Alibaba Cloud DCDN RPC API (2018-01-15).")
    p.add_argument("--listen", type=parse_listen, default=("127.0.0.1", 0), metavar="HOST:PORT",
                   help="address to listen on (default 127.0.0.1:0, port 0 = any free port)")
    p.add_argument("--credentials", action="append", type=parse_credential, metavar="ID:SECRET[:TOKEN]",
                   help=f"an accepted key, repeatable (default {DEFAULT_CREDENTIAL}); TOKEN makes it an STS key")
    p.add_argument("--ram-domains", action="append", type=parse_ram_domains, default=[],
                   metavar="ID=DOMAIN[,DOMAIN...]",
                   help="a RAM policy, repeatable: key ID may operate only on these domains "
                        "(replaces the scenario's \"ram\" domains for ID; default: every domain)")
    p.add_argument("--ram-deny", action="append", type=parse_ram_deny, default=[],
                   metavar="ID=ACTION[,ACTION...]",
                   help="key ID is refused these actions outright (Forbidden.RAM), repeatable "
                        "(replaces the scenario's \"ram\" deny for ID)")
    p.add_argument("--ram-policy", action="append", type=parse_ram_policy, default=[], metavar="ID=FILE",
                   help="attach the RAM policy document FILE (JSON) to key ID, repeatable "
                        "(replaces the scenario's \"ram\" policy for ID)")
    p.add_argument("--clock-offset", type=finite_number, default=0.0, metavar="SECONDS",
                   help="the simulator's clock is the real clock plus SECONDS (may be negative; default 0)")
    p.add_argument("--scenario", metavar="FILE", help="scenario JSON (default: the built-in one)")
    p.add_argument("--tls-cert", metavar="FILE", help="serve HTTPS with this certificate (PEM)")
    p.add_argument("--tls-key", metavar="FILE", help="private key for --tls-cert (PEM)")
    p.add_argument("--rate-limit", type=float, default=5.0, metavar="N",
                   help="accepted calls per second per AccessKeyId (default 5; 0 disables)")
    p.add_argument("--throttle-code", choices=("TooManyRequests", "Throttling.User"), default="TooManyRequests",
                   help="error for calls over the rate (TooManyRequests: HTTP 429, Throttling.User: HTTP 400)")
    p.add_argument("--sts-expire-after", type=positive_number(False, 0.001), metavar="SECONDS",
                   help="--credentials with a TOKEN expire this many seconds after start "
                        "(then InvalidSecurityToken.Expired; default: never)")
    p.add_argument("--ram-role", action="append", type=parse_role, default=[], metavar="NAME",
                   help="serve the ECS metadata service (/latest/...) for an instance with this "
                        "RAM role, repeatable")
    p.add_argument("--sts-lifetime", type=positive_number(True, 2), metavar="SECONDS",
                   help=f"lifetime of the role credentials the metadata service issues "
                        f"(default {DEFAULT_STS_LIFETIME}); a new one comes at half-life")
    p.add_argument("--metadata-require-token", action="store_true",
                   help="metadata requests without X-aliyun-ecs-metadata-token get 401 (IMDSv2 only)")
    p.add_argument("--metadata-fault", choices=METADATA_FAULTS,
                   help="down: reset every metadata connection; malformed: truncated credentials "
                        "JSON; no-role: no role attached")
    p.add_argument("--role", action="append", type=parse_sts_role, default=[],
                   metavar="ARN[:EXTERNALID]",
                   help="serve STS AssumeRole (Version 2015-04-01) for this role, repeatable; with "
                        "EXTERNALID its trust policy asks for that ExternalId")
    p.add_argument("--role-max-duration", type=positive_number(True, MIN_DURATION),
                   default=DEFAULT_MAX_DURATION, metavar="SECONDS",
                   help=f"the roles' MaxSessionDuration: the largest DurationSeconds "
                        f"(default {DEFAULT_MAX_DURATION}, at most {MAX_MAX_DURATION})")
    p.add_argument("--role-lifetime", type=positive_number(True, 2), metavar="SECONDS",
                   help="credentials AssumeRole issues expire after this many seconds when that is "
                        "shorter than DurationSeconds (for tests; default: DurationSeconds)")
    p.add_argument("--record", metavar="FILE", help="append one JSON line per request to FILE")
    p.add_argument("--dump-default-scenario", action="store_true",
                   help="print the built-in scenario as JSON and exit")
    args = p.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    args.credentials = args.credentials or [parse_credential(DEFAULT_CREDENTIAL)]
    if args.sts_expire_after is not None and not any(c.token for c in args.credentials):
        p.error("--sts-expire-after needs a --credentials ID:SECRET:TOKEN")
    if not args.ram_role:
        for given, option in ((args.sts_lifetime is not None, "--sts-lifetime"),
                              (args.metadata_require_token, "--metadata-require-token"),
                              (args.metadata_fault is not None, "--metadata-fault")):
            if given:
                p.error(f"{option} needs --ram-role")
    if not args.role and args.role_lifetime is not None:
        p.error("--role-lifetime needs --role")
    if args.role_max_duration > MAX_MAX_DURATION:
        p.error(f"--role-max-duration is at most {MAX_MAX_DURATION}")
    if args.sts_lifetime is None:
        args.sts_lifetime = DEFAULT_STS_LIFETIME
    args.ram, args.ram_denied, args.ram_policies = {}, {}, {}
    for key_id, domains in args.ram_domains:    # a key named twice gets the union
        args.ram[key_id] = args.ram.get(key_id, frozenset()) | domains
    for key_id, actions in args.ram_deny:
        args.ram_denied[key_id] = args.ram_denied.get(key_id, frozenset()) | actions
    for key_id, statements in args.ram_policy:  # several policies attached: all their statements
        args.ram_policies[key_id] = args.ram_policies.get(key_id, ()) + statements
    known = {c.key_id for c in args.credentials}
    for option, entries in (("--ram-domains", args.ram), ("--ram-deny", args.ram_denied),
                            ("--ram-policy", args.ram_policies)):
        unknown = sorted(set(entries) - known)
        if unknown:
            p.error(f"{option} for a key not given by --credentials: {', '.join(unknown)}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.dump_default_scenario:
        print(json.dumps(DEFAULT_SCENARIO, indent=2))
        return 0
    start = time.time()
    clock = Clock(start, args.clock_offset)
    try:
        scenario = read_scenario(args.scenario, clock.zero)
        entries = ram_entries({**scenario.ram, **args.ram},          # each option wins for its key
                              {**scenario.ram_deny, **args.ram_denied},
                              {**scenario.ram_policies, **args.ram_policies})
        credentials = grant_ram(args.credentials, entries)
    except ScenarioError as err:
        print(f"dcdn-simulator: bad scenario: {err}", file=sys.stderr)
        return 2
    except KeyError as err:
        print(f"dcdn-simulator: bad scenario: ram: not a key given by --credentials: {err.args[0]}",
              file=sys.stderr)
        return 2
    if args.sts_expire_after is not None:
        expires_at = start + clock.offset + args.sts_expire_after   # on the simulator's clock
        credentials = [dataclasses.replace(c, expires_at=expires_at) if c.token else c
                       for c in credentials]
    metadata = None
    if args.ram_role:
        metadata = MetadataService(args.ram_role, args.sts_lifetime, args.metadata_require_token,
                                   args.metadata_fault)
    sts = StsService(args.role, args.role_max_duration, args.role_lifetime) if args.role else None
    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            tls.load_cert_chain(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as err:
            print(f"dcdn-simulator: cannot load TLS certificate/key: {err}", file=sys.stderr)
            return 1

    def log(line):
        sys.stderr.write(f"dcdn-simulator: {time.strftime('%H:%M:%S')} {line}\n")
        sys.stderr.flush()

    recorder = Recorder(args.record)
    simulator = Simulator(scenario, credentials, args.rate_limit, args.throttle_code,
                          recorder, start, log, metadata, dataclasses.replace(clock, steps=scenario.clock),
                          sts)
    # Block SIGTERM/SIGINT before any thread starts (threads inherit the
    # mask) and before "listening" is printed, so the main thread alone takes
    # them, at once, through sigwait, and none sent after that line is lost.
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    try:
        server = SimulatorServer(args.listen, simulator, tls)
    except OSError as err:
        print(f"dcdn-simulator: cannot listen on {args.listen[0]}:{args.listen[1]}: {err}", file=sys.stderr)
        return 1
    host, port = server.server_address[:2]
    shown_host = f"[{host}]" if ":" in host else host
    print(f"listening {'https' if tls else 'http'}://{shown_host}:{port}", flush=True)

    worker = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    worker.start()
    signal.sigwait(stop_signals)
    server.shutdown()
    server.server_close()
    recorder.close()
    log("stopped")
    return 0
