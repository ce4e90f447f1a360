"""RAM policies per key (--ram-domains ID=DOMAIN,... and the scenario's "ram"):
Forbidden.RAM for account-wide and ungranted listings, task-by-id filtered,
quota allowed, keys without a policy unaffected, the order of checks, and
the validation of both sources."""

import argparse

import pytest

from simclient import assert_forbidden, exits_2
from simclient import task_ids as ids
from dcdn_simulator.cli import parse_ram_domains
from dcdn_simulator.scenario import ScenarioError, load_scenario

LIST, BY_ID, QUOTA = "DescribeDcdnRefreshTasks", "DescribeDcdnRefreshTaskById", "DescribeDcdnRefreshQuota"

SCENARIO = {
    "tasks": [
        {"id": "10", "path": "http://a.example.com/1", "created": -100},
        {"id": "11", "path": "http://A.Example.com/2", "created": -200},
        {"id": "12", "path": "http://b.example.com/3", "created": -300},
        {"id": "13", "path": "http://c.example.com/4", "created": -400},
    ],
    # "scoped" gets b only from the scenario; "limited" is overridden by the CLI.
    "ram": {"scoped": ["b.example.com"], "limited": ["c.example.com"]},
}
KEYS = ["--credentials", "testid:testsecret", "--credentials", "limited:limitedsecret",
        "--credentials", "scoped:scopedsecret"]
# Mixed case, and a key named twice gets the union.
POLICIES = ["--ram-domains", "limited=A.EXAMPLE.com", "--ram-domains", "limited=b.example.com"]
LIMITED = {"key": "limited", "secret": "limitedsecret"}
SCOPED = {"key": "scoped", "secret": "scopedsecret"}


@pytest.fixture
def ram_sim(start_sim):
    return start_sim(SCENARIO, args=KEYS + POLICIES)


@pytest.mark.parametrize("sig", ["v1", "v3"])
def test_account_wide_listing_is_forbidden(ram_sim, sig):
    assert_forbidden(ram_sim.call(sig=sig, **LIMITED))
    assert_forbidden(ram_sim.call(sig=sig, params={"ObjectType": "file", "DomainName": ","}, **LIMITED))


def test_an_ungranted_domain_is_forbidden_even_among_granted_ones(ram_sim):
    for names in ("c.example.com", "a.example.com,c.example.com", "a.example.com,other.example.net"):
        assert_forbidden(ram_sim.call(params={"ObjectType": "file", "DomainName": names}, **LIMITED))


def test_granted_domains_are_answered(ram_sim):
    def listing(names):
        return ids(ram_sim.call(params={"ObjectType": "file", "DomainName": names}, **LIMITED))
    assert listing("a.example.com") == ["10", "11"]
    assert listing("b.example.com, A.Example.COM") == ["10", "11", "12"]


def test_ram_comes_before_the_parameter_rules(ram_sim):
    # Ungranted: refused before the missing ObjectType is noticed; granted: the rule answers.
    assert_forbidden(ram_sim.call(params={"DomainName": "c.example.com"}, **LIMITED))
    resp = ram_sim.call(params={"DomainName": "a.example.com"}, **LIMITED)
    assert (resp.status, resp.code) == (400, "MissingParameter.ObjectType")
    resp = ram_sim.call(params={"DomainName": "a.example.com", "ObjectType": "file", "PageSize": 99},
                        **LIMITED)
    assert (resp.status, resp.code) == (400, "InvalidParameter")


def test_task_by_id_returns_only_granted_domains(ram_sim):
    resp = ram_sim.call(BY_ID, {"TaskId": "10,11,12,13"}, **LIMITED)
    assert ids(resp) == ["10", "11", "12"] and resp.json["TotalCount"] == 3
    assert ids(ram_sim.call(BY_ID, {"TaskId": "13"}, **LIMITED)) == []


def test_quota_is_allowed(ram_sim):
    resp = ram_sim.call(QUOTA, **LIMITED)
    assert resp.status == 200 and resp.json["UrlQuota"] == "10000"


def test_keys_without_a_policy_keep_full_access(ram_sim):
    assert ids(ram_sim.call()) == ["10", "11", "12", "13"]
    assert ids(ram_sim.call(params={"ObjectType": "file", "DomainName": "c.example.com"})) == ["13"]
    assert ids(ram_sim.call(BY_ID, {"TaskId": "10,13"})) == ["10", "13"]


def test_scenario_policy_applies_and_the_command_line_wins(ram_sim):
    assert_forbidden(ram_sim.call(**SCOPED))
    assert ids(ram_sim.call(params={"ObjectType": "file", "DomainName": "b.example.com"}, **SCOPED)) == ["12"]
    assert ids(ram_sim.call(BY_ID, {"TaskId": "10,12,13"}, **SCOPED)) == ["12"]
    # The scenario grants "limited" c.example.com, but --ram-domains replaced that.
    assert_forbidden(ram_sim.call(params={"ObjectType": "file", "DomainName": "c.example.com"}, **LIMITED))


def test_signature_comes_first_and_refused_calls_count_toward_the_rate(start_sim):
    sim = start_sim(SCENARIO, args=KEYS + POLICIES, rate_limit="3")
    resp = sim.call(key="limited", secret="wrong")
    assert resp.code == "SignatureDoesNotMatch"           # not counted: the signature failed
    for _ in range(3):
        assert_forbidden(sim.call(**LIMITED))               # accepted signature: counted
    resp = sim.call(QUOTA, **LIMITED)
    assert (resp.status, resp.code) == (429, "TooManyRequests")
    records = sim.records()
    assert [r["code"] for r in records] == ["SignatureDoesNotMatch"] + ["Forbidden.RAM"] * 3 + ["TooManyRequests"]
    assert [r["status"] for r in records[1:4]] == [403] * 3


# -- validation ------------------------------------------------------------------

@pytest.mark.parametrize("text,message", [
    ("limited", "expected ID=DOMAIN[,DOMAIN...]"),
    ("=a.example.com", "expected ID=DOMAIN[,DOMAIN...]"),
    ("limited=", "limited: grants no domain"),
    ("limited=a.example.com,,b.example.com", "limited: not a domain name: ''"),
    ("limited=http://a.example.com/", "not a domain name: 'http://a.example.com/'"),
    ("limited=*.example.com", "not a domain name: '*.example.com'"),
])
def test_bad_ram_domains_are_refused(text, message):
    with pytest.raises(argparse.ArgumentTypeError) as err:
        parse_ram_domains(text)
    assert message in str(err.value)


def test_ram_domains_grammar():
    assert parse_ram_domains("k=a.example.com,B.example.COM") == \
        ("k", frozenset({"a.example.com", "b.example.com"}))
    with pytest.raises(argparse.ArgumentTypeError):
        parse_ram_domains("k=v=x")                # the ID ends at the first "="


def test_bad_ram_domains_on_the_command_line_exit_2(tmp_path):
    err = exits_2(tmp_path, args=["--ram-domains", "testid=a.example.com/"])
    assert "argument --ram-domains: testid: not a domain name: 'a.example.com/'" in err
    # A policy for a key that is not accepted is surely a typo.
    err = exits_2(tmp_path, args=["--ram-domains", "testdi=a.example.com"])
    assert "--ram-domains for a key not given by --credentials: testdi" in err


BAD_RAM = [
    ({"ram": ["a.example.com"]}, "ram: must be an object"),
    ({"ram": {"testid": "a.example.com"}}, "ram.testid: must be a list of domain names"),
    ({"ram": {"testid": []}}, "ram.testid: grants no domain"),
    ({"ram": {"testid": ["a.example.com", 5]}}, "ram.testid: not a domain name: 5"),
    ({"ram": {"": ["a.example.com"]}}, "ram: an AccessKeyId must not be empty"),
]


def test_bad_scenario_ram_is_refused_naming_the_problem():
    for scenario, message in BAD_RAM:
        with pytest.raises(ScenarioError) as err:
            load_scenario(scenario, 0)
        assert message in str(err.value), scenario
    ram = load_scenario({"ram": {"k": ["A.example.com"]}}, 0).ram
    assert ram == {"k": frozenset({"a.example.com"})}
    assert load_scenario({}, 0).ram == {}


def test_bad_scenario_ram_exits_2(tmp_path):
    assert "bad scenario: ram.testid: grants no domain" in exits_2(tmp_path, {"ram": {"testid": []}})
    err = exits_2(tmp_path, {"ram": {"alice": ["a.example.com"]}})
    assert "bad scenario: ram: not a key given by --credentials: alice" in err
