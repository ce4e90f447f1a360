"""RAM beyond domain grants: actions refused outright (--ram-deny and the
scenario's "ram" entry objects), RAM policy documents (--ram-policy, the
scenario's inline "policy") evaluated as RAM does (explicit Deny wins, an
Allow must match, wildcards, case-insensitive actions), and
contrib/ram-policy.json and contrib/ram-policy-esa.json as shipped."""

import argparse
import json

import pytest

from simclient import ROOT, assert_forbidden, exits_2
from simclient import task_ids as ids
from dcdn_simulator.cli import parse_ram_deny
from dcdn_simulator.ram import load_policy, policy_allows
from dcdn_simulator.scenario import ScenarioError, load_scenario

LIST, BY_ID, QUOTA = "DescribeDcdnRefreshTasks", "DescribeDcdnRefreshTaskById", "DescribeDcdnRefreshQuota"
ACTIONS = (LIST, BY_ID, QUOTA)
SHIPPED_POLICY = ROOT / "contrib" / "ram-policy.json"
ACCOUNT = "1234567890123456"

SCENARIO = {
    "tasks": [
        {"id": "10", "path": "http://a.example.com/1", "created": -100},
        {"id": "11", "path": "http://b.example.com/2", "created": -200},
        {"id": "12", "path": "http://c.example.org/3", "created": -300},
    ],
}
ALL_IDS = ["10", "11", "12"]


def listing(sim, domains=None, **kw):
    params = {} if domains is None else {"ObjectType": "file", "DomainName": domains}
    return sim.call(LIST, params, **kw)


def by_id(sim, **kw):
    return sim.call(BY_ID, {"TaskId": "10,11,12"}, **kw)


def quota(sim, **kw):
    return sim.call(QUOTA, **kw)


def policy_file(tmp_path, statements, name="policy.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"Version": "1", "Statement": statements}))
    return str(path)


def allow(action, resource):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(action, resource):
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def domain_arn(name, account="*"):
    return f"acs:dcdn:*:{account}:domain/{name}"


# -- --ram-deny and the scenario's "deny" -------------------------------------------

CALLS = {LIST: listing, BY_ID: by_id, QUOTA: quota}


def answered(sim, action, **kw):
    return CALLS[action](sim, **kw).status == 200


@pytest.mark.parametrize("denied", ACTIONS)
def test_a_denied_action_is_forbidden_and_the_others_answered(start_sim, denied):
    sim = start_sim(SCENARIO, args=["--ram-deny", f"testid={denied}"])
    for action in ACTIONS:
        resp = CALLS[action](sim)
        if action == denied:
            assert_forbidden(resp)
        else:
            assert resp.status == 200, (action, resp)
    # With a DomainName too: the action itself is refused.
    if denied == LIST:
        assert_forbidden(listing(sim, "a.example.com"))


def test_deny_is_checked_after_signature_and_rate_and_before_parameters(start_sim):
    sim = start_sim(SCENARIO, args=["--ram-deny", f"testid={BY_ID},{QUOTA}"], rate_limit="2")
    assert sim.call(BY_ID, secret="wrong").code == "SignatureDoesNotMatch"
    assert_forbidden(sim.call(BY_ID))               # no TaskId: RAM answers before MissingTaskId
    assert_forbidden(quota(sim))
    resp = listing(sim)                             # the two refused calls used up the rate
    assert (resp.status, resp.code) == (429, "TooManyRequests")
    assert [r["code"] for r in sim.records()] == ["SignatureDoesNotMatch", "Forbidden.RAM",
                                                  "Forbidden.RAM", "TooManyRequests"]


def test_a_key_named_twice_is_denied_the_union_and_other_keys_are_not_affected(start_sim):
    sim = start_sim(SCENARIO, args=["--credentials", "testid:testsecret", "--credentials", "bob:bobsecret",
                                    "--ram-deny", f"bob={LIST}", "--ram-deny", f"bob={QUOTA}"])
    bob = {"key": "bob", "secret": "bobsecret"}
    assert_forbidden(listing(sim, **bob))
    assert_forbidden(quota(sim, **bob))
    assert ids(by_id(sim, **bob)) == ALL_IDS
    assert all(answered(sim, action) for action in ACTIONS)


def test_scenario_entry_objects_combine_domains_and_deny_and_the_cli_replaces_deny(start_sim):
    scenario = {**SCENARIO, "ram": {
        "testid": {"domains": ["a.example.com"], "deny": [QUOTA]},
        "bob": {"deny": [BY_ID, LIST]},
        "carol": ["b.example.com"],                   # the list form still works
    }}
    sim = start_sim(scenario, args=["--credentials", "testid:testsecret", "--credentials", "bob:bobsecret",
                                    "--credentials", "carol:carolsecret", "--ram-deny", f"bob={QUOTA}"])
    assert_forbidden(quota(sim))
    assert_forbidden(listing(sim))                                    # the domain grant
    assert ids(listing(sim, "a.example.com")) == ["10"]
    assert ids(by_id(sim)) == ["10"]
    bob = {"key": "bob", "secret": "bobsecret"}
    assert ids(listing(sim, **bob)) == ALL_IDS                        # --ram-deny replaced the scenario's
    assert ids(by_id(sim, **bob)) == ALL_IDS
    assert_forbidden(quota(sim, **bob))
    carol = {"key": "carol", "secret": "carolsecret"}
    assert ids(listing(sim, "b.example.com", **carol)) == ["11"]
    assert quota(sim, **carol).status == 200


@pytest.mark.parametrize("text,message", [
    ("testid", "expected ID=ACTION[,ACTION...]"),
    ("=DescribeDcdnRefreshQuota", "expected ID=ACTION[,ACTION...]"),
    ("testid=", "testid: denies no action"),
    ("testid=DescribeDcdnRefreshQuota,", "testid: not an action of the simulator: ''"),
    ("testid=dcdn:DescribeDcdnRefreshQuota", "not an action of the simulator: 'dcdn:DescribeDcdnRefreshQuota'"),
    ("testid=describedcdnrefreshquota", "not an action of the simulator: 'describedcdnrefreshquota'"),
])
def test_bad_ram_deny_is_refused(text, message):
    with pytest.raises(argparse.ArgumentTypeError) as err:
        parse_ram_deny(text)
    assert message in str(err.value)


BAD_RAM_ENTRIES = [
    ({"testid": {}}, 'ram.testid: needs "domains", "deny" or "policy"'),
    ({"testid": {"deny": QUOTA}}, "ram.testid.deny: must be a list"),
    ({"testid": {"deny": []}}, "ram.testid: denies no action"),
    ({"testid": {"deny": ["Describe"]}}, "ram.testid: not an action of the simulator: 'Describe'"),
    ({"testid": {"domains": "a.example.com"}}, "ram.testid.domains: must be a list"),
    ({"testid": {"domains": ["*.example.com"]}}, "ram.testid: not a domain name: '*.example.com'"),
    ({"testid": {"denied": [QUOTA]}}, "ram.testid: unknown member(s) denied"),
    ({"testid": 5}, "ram.testid: must be a list of domain names or an object"),
    ({"testid": {"policy": {"Version": "1", "Statement": []}}},
     'ram.testid.policy: "Statement" must be a non-empty list'),
    ({"testid": {"policy": {"Version": "1", "Statement": [allow("dcdn:*", "domain/*")]}}},
     "ram.testid.policy.Statement[0]: \"Resource\": not a RAM resource: 'domain/*'"),
]


def test_bad_scenario_ram_entries_are_refused_naming_the_member():
    for ram, message in BAD_RAM_ENTRIES:
        with pytest.raises(ScenarioError) as err:
            load_scenario({"ram": ram}, 0)
        assert message in str(err.value), ram


def test_bad_deny_exits_2(tmp_path):
    err = exits_2(tmp_path, args=["--ram-deny", "testid=DescribeDcdnRefreshQuotas"])
    assert "argument --ram-deny: testid: not an action of the simulator: 'DescribeDcdnRefreshQuotas'" in err
    err = exits_2(tmp_path, args=["--ram-deny", f"nobody={QUOTA}"])
    assert "--ram-deny for a key not given by --credentials: nobody" in err
    err = exits_2(tmp_path, {"ram": {"testid": {"deny": ["x"]}}})
    assert "bad scenario: ram.testid: not an action of the simulator: 'x'" in err
    err = exits_2(tmp_path, {"ram": {"alice": {"deny": [QUOTA]}}})
    assert "bad scenario: ram: not a key given by --credentials: alice" in err


# -- contrib/ram-policy.json ---------------------------------------------------------

def test_shipped_policy_is_the_least_privilege_monitor_policy():
    doc = json.loads(SHIPPED_POLICY.read_text())
    assert doc == {"Version": "1", "Statement": [
        allow(["dcdn:DescribeDcdnRefreshTasks"], ["acs:dcdn:*:*:domain/*"]),
        allow(["dcdn:DescribeDcdnRefreshTaskById", "dcdn:DescribeDcdnRefreshQuota"], ["*"]),
    ]}


def test_shipped_policy_answers_all_three_actions(start_sim):
    sim = start_sim(SCENARIO, args=["--ram-policy", f"testid={SHIPPED_POLICY}"])
    assert ids(listing(sim)) == ALL_IDS                           # account-wide
    assert ids(listing(sim, "a.example.com,c.example.org")) == ["10", "12"]
    assert ids(by_id(sim)) == ALL_IDS
    resp = quota(sim)
    assert resp.status == 200 and resp.json["UrlQuota"] == "10000"


def test_shipped_policy_narrowed_to_one_domain(start_sim, tmp_path):
    doc = json.loads(SHIPPED_POLICY.read_text())
    doc["Statement"][0]["Resource"] = [domain_arn("a.example.com", ACCOUNT)]
    narrowed = tmp_path / "narrowed.json"
    narrowed.write_text(json.dumps(doc))
    sim = start_sim(SCENARIO, args=["--ram-policy", f"testid={narrowed}"])
    assert_forbidden(listing(sim))                                 # account-wide
    assert_forbidden(listing(sim, "b.example.com"))                # a foreign domain
    assert_forbidden(listing(sim, "a.example.com,b.example.com"))  # one foreign among granted
    assert ids(listing(sim, "A.example.com")) == ["10"]
    assert ids(by_id(sim)) == ALL_IDS                              # granted on all resources
    assert quota(sim).status == 200


# -- contrib/ram-policy-esa.json -----------------------------------------------------
# ESA's four read-only actions: the two lists on the site (site/{SiteId}),
# ListSites and GetPurgeQuota on all resources. The file is a template: its
# <ACCOUNT_ID> and <SITE_ID> are the user's to fill in.

ESA = "2024-09-10"
ESA_POLICY = ROOT / "contrib" / "ram-policy-esa.json"
ESA_SCENARIO = json.loads((ROOT / "contrib" / "scenarios" / "three-products.json").read_text())
NET, SHOP = 1200000000001, 1200000000002


def esa(sim, action, params=None, **kw):
    return sim.call(action, params, version=ESA, method="GET", **kw)


def esa_policy(tmp_path, account=ACCOUNT, site=NET):
    """The shipped template with its placeholders filled in."""
    text = ESA_POLICY.read_text().replace("<ACCOUNT_ID>", str(account)).replace("<SITE_ID>", str(site))
    path = tmp_path / f"esa-policy-{site}.json".replace("*", "all")
    path.write_text(text)
    return str(path)


def test_shipped_esa_policy_is_the_least_privilege_monitor_policy():
    doc = json.loads(ESA_POLICY.read_text())
    assert doc == {"Version": "1", "Statement": [
        allow(["esa:DescribePurgeTasks", "esa:DescribePreloadTasks"], ["acs:esa:*:<ACCOUNT_ID>:site/<SITE_ID>"]),
        allow(["esa:ListSites", "esa:GetPurgeQuota"], ["*"]),
    ]}
    load_policy(doc)        # valid as it is, placeholders and all


def test_shipped_esa_policy_filled_in_answers_the_plugins_calls_on_its_site_only(start_sim, tmp_path):
    sim = start_sim(ESA_SCENARIO, args=["--ram-policy", f"testid={esa_policy(tmp_path)}"])
    sites = esa(sim, "ListSites", {"PageSize": 500})
    assert sites.status == 200 and [s["SiteId"] for s in sites.json["Sites"]] == [NET, SHOP]
    purges = esa(sim, "DescribePurgeTasks", {"SiteId": NET, "Type": "file", "PageSize": 50})
    assert purges.status == 200 and purges.json["TotalCount"] == 5
    preloads = esa(sim, "DescribePreloadTasks", {"SiteId": NET, "PageSize": 50})
    assert preloads.status == 200 and preloads.json["TotalCount"] == 5
    quota = esa(sim, "GetPurgeQuota", {"SiteId": NET, "Type": "file"})
    assert quota.status == 200 and (quota.json["Quota"], quota.json["Usage"]) == ("5000", "120")
    assert esa(sim, "GetPurgeQuota", {"SiteId": SHOP, "Type": "file"}).status == 200    # all resources
    # Another site's lists, and anything beyond watching, are refused.
    assert_forbidden(esa(sim, "DescribePurgeTasks", {"SiteId": SHOP, "Type": "file"}))
    assert_forbidden(esa(sim, "DescribePreloadTasks", {"SiteId": SHOP}))
    assert_forbidden(esa(sim, "GetSite", {"SiteId": NET}))
    assert_forbidden(sim.call("PurgeCaches", {"SiteId": NET, "Type": "file",
                                              "Content": '{"Files": ["http://www.example.net/a"]}'},
                              version=ESA))
    # No DCDN or CDN action either.
    assert_forbidden(listing(sim))


def test_shipped_esa_policy_with_every_site_and_unfilled(start_sim, tmp_path):
    every = esa_policy(tmp_path, site="*")
    sim = start_sim(ESA_SCENARIO, args=["--ram-policy", f"testid={every}"])
    for site in (NET, SHOP):
        assert esa(sim, "DescribePurgeTasks", {"SiteId": site, "Type": "file"}).status == 200
        assert esa(sim, "DescribePreloadTasks", {"SiteId": site}).status == 200
    # As shipped, the placeholders match no account: no site's lists until
    # they are filled in (ListSites and the quota work all the same).
    sim = start_sim(ESA_SCENARIO, args=["--ram-policy", f"testid={ESA_POLICY}"])
    assert_forbidden(esa(sim, "DescribePurgeTasks", {"SiteId": NET, "Type": "file"}))
    assert_forbidden(esa(sim, "DescribePreloadTasks", {"SiteId": NET}))
    assert esa(sim, "ListSites").status == 200
    assert esa(sim, "GetPurgeQuota", {"SiteId": NET}).status == 200


# -- policy evaluation ---------------------------------------------------------------

def test_explicit_deny_wins_over_any_allow(start_sim, tmp_path):
    path = policy_file(tmp_path, [allow("*", "*"), deny("dcdn:DescribeDcdnRefreshTasks", domain_arn("b.example.com"))])
    sim = start_sim(SCENARIO, args=["--ram-policy", f"testid={path}"])
    assert ids(listing(sim, "a.example.com")) == ["10"]
    assert_forbidden(listing(sim, "b.example.com"))
    assert_forbidden(listing(sim, "a.example.com,b.example.com"))
    assert_forbidden(listing(sim))                   # account-wide would show b's tasks
    assert ids(by_id(sim)) == ALL_IDS                # the Deny names no all-resources statement
    assert quota(sim).status == 200


def test_a_deny_on_all_resources_refuses_the_by_id_and_quota_actions(start_sim, tmp_path):
    path = policy_file(tmp_path, [allow("dcdn:*", "*"), deny(["dcdn:*Quota", "dcdn:*ById"], "acs:dcdn:*:*:*")])
    sim = start_sim(SCENARIO, args=["--ram-policy", f"testid={path}"])
    assert_forbidden(quota(sim))
    assert_forbidden(by_id(sim))
    assert ids(listing(sim)) == ALL_IDS


def test_without_a_matching_allow_everything_is_refused(start_sim, tmp_path):
    path = policy_file(tmp_path, [allow("cdn:*", "*"), allow("dcdn:DescribeDcdnRefreshQuota", "*")])
    sim = start_sim(SCENARIO, args=["--ram-policy", f"testid={path}"])
    assert_forbidden(listing(sim))
    assert_forbidden(listing(sim, "a.example.com"))
    assert_forbidden(by_id(sim))
    assert quota(sim).status == 200


def test_wildcards_in_actions_and_resources(start_sim, tmp_path):
    path = policy_file(tmp_path, [allow("DCDN:describedcdnrefresh*", [domain_arn("*.example.com")])])
    sim = start_sim(SCENARIO, args=["--ram-policy", f"testid={path}"])
    assert ids(listing(sim, "a.example.com,b.example.com")) == ["10", "11"]
    assert_forbidden(listing(sim, "c.example.org"))
    assert_forbidden(listing(sim))                 # *.example.com is not every domain
    assert_forbidden(by_id(sim))                   # a domain resource is not all resources
    assert_forbidden(quota(sim))


def test_the_account_part_must_match_the_simulated_account(start_sim, tmp_path):
    mine = policy_file(tmp_path, [allow("dcdn:*", f"acs:dcdn:*:{ACCOUNT[:4]}*:*")], "mine.json")
    other = policy_file(tmp_path, [allow("dcdn:*", "acs:dcdn:*:999:*")], "other.json")
    sim = start_sim(SCENARIO, args=["--credentials", "testid:testsecret", "--credentials", "bob:bobsecret",
                                    "--ram-policy", f"testid={mine}", "--ram-policy", f"bob={other}"])
    assert ids(listing(sim)) == ALL_IDS and ids(by_id(sim)) == ALL_IDS and quota(sim).status == 200
    bob = {"key": "bob", "secret": "bobsecret"}
    assert_forbidden(listing(sim, **bob))
    assert_forbidden(listing(sim, "a.example.com", **bob))
    assert_forbidden(quota(sim, **bob))


def test_several_policies_for_one_key_add_up_and_a_domain_grant_still_applies(start_sim, tmp_path):
    lists = policy_file(tmp_path, [allow("dcdn:DescribeDcdnRefreshTasks", domain_arn("*"))], "lists.json")
    quota_only = policy_file(tmp_path, [allow("dcdn:DescribeDcdnRefreshQuota", "*")], "quota.json")
    sim = start_sim(SCENARIO, args=["--ram-policy", f"testid={lists}", "--ram-policy", f"testid={quota_only}",
                                    "--ram-domains", "testid=a.example.com,b.example.com"])
    assert quota(sim).status == 200
    assert_forbidden(by_id(sim))
    assert_forbidden(listing(sim))                                 # the domain grant refuses
    assert ids(listing(sim, "b.example.com")) == ["11"]
    assert_forbidden(listing(sim, "c.example.org"))


def test_a_scenario_policy_applies_and_the_cli_replaces_it(start_sim, tmp_path):
    scenario = {**SCENARIO, "ram": {
        "testid": {"policy": {"Version": "1", "Statement": [allow("dcdn:*", domain_arn("c.example.org"))]}},
        "bob": {"policy": {"Version": "1", "Statement": [deny("*", "*")]}},
    }}
    sim = start_sim(scenario, args=["--credentials", "testid:testsecret", "--credentials", "bob:bobsecret",
                                    "--ram-policy", f"bob={SHIPPED_POLICY}"])
    assert ids(listing(sim, "c.example.org")) == ["12"]
    assert_forbidden(listing(sim, "a.example.com"))
    assert_forbidden(quota(sim))
    assert ids(listing(sim, key="bob", secret="bobsecret")) == ALL_IDS


def test_policy_evaluation_rules():
    def allows(statements, action, domains=None):
        return policy_allows(load_policy({"Version": "1", "Statement": statements}), action, domains)

    everything = [allow("*", "*")]
    assert all(allows(everything, a) for a in ACTIONS)
    assert allows(everything, LIST, {"a.example.com"})
    assert not allows(everything + [deny("dcdn:Describe*", "*")], QUOTA)
    assert not allows(everything + [deny("dcdn:" + LIST, domain_arn("a*"))], LIST, {"ab.example.com"})
    assert allows(everything + [deny("dcdn:" + LIST, domain_arn("a*"))], LIST, {"b.example.com"})
    # Account-wide needs an Allow on every domain; a domain/* or broader one will do.
    for resource in ("*", "acs:dcdn:*:*:*", domain_arn("*"), "acs:dcdn:*:*:domain*", "acs:*:*:*:*"):
        assert allows([allow("dcdn:*", resource)], LIST, None), resource
    for resource in (domain_arn("a*"), domain_arn("*.com"), "acs:cdn:*:*:domain/*", "acs:dcdn:*:1:domain/*"):
        assert not allows([allow("dcdn:*", resource)], LIST, None), resource
    # The by-id and quota actions: only statements on all resources count.
    assert allows([allow("dcdn:*", "acs:dcdn:*:*:*")], BY_ID)
    assert not allows([allow("dcdn:*", domain_arn("*"))], BY_ID)
    assert not allows([allow("dcdn:*ById", "*")], QUOTA)


@pytest.mark.parametrize("doc,message", [
    ([], "policy: must be an object"),
    ({"Statement": [allow("*", "*")]}, 'policy: "Version" must be "1"'),
    ({"Version": 1, "Statement": [allow("*", "*")]}, 'policy: "Version" must be "1"'),
    ({"Version": "1"}, 'policy: "Statement" must be a non-empty list'),
    ({"Version": "1", "Statement": [allow("*", "*")], "Id": "x"}, "policy: unknown member(s) Id"),
    ({"Version": "1", "Statement": ["x"]}, "Statement[0]: must be an object"),
    ({"Version": "1", "Statement": [allow("*", "*"), {"Effect": "allow", "Action": "*", "Resource": "*"}]},
     'Statement[1]: "Effect" must be "Allow" or "Deny"'),
    ({"Version": "1", "Statement": [{"Effect": "Allow", "Resource": "*"}]},
     'Statement[0]: "Action" must be a string or a non-empty list of strings'),
    ({"Version": "1", "Statement": [allow([], "*")]},
     'Statement[0]: "Action" must be a string or a non-empty list of strings'),
    ({"Version": "1", "Statement": [allow("DescribeDcdnRefreshTasks", "*")]},
     "Statement[0]: \"Action\": not a RAM action: 'DescribeDcdnRefreshTasks'"),
    ({"Version": "1", "Statement": [allow("*", [5])]},
     'Statement[0]: "Resource" must be a string or a non-empty list of strings'),
    ({"Version": "1", "Statement": [allow("*", "acs:dcdn:*:domain/a")]},
     "Statement[0]: \"Resource\": not a RAM resource: 'acs:dcdn:*:domain/a'"),
    ({"Version": "1", "Statement": [{**allow("*", "*"), "Condition": {}}]},
     "Statement[0]: Condition: not supported by the simulator"),
    ({"Version": "1", "Statement": [{"Effect": "Allow", "NotAction": "x:y", "Resource": "*"}]},
     "Statement[0]: NotAction: not supported by the simulator"),
    ({"Version": "1", "Statement": [{**allow("*", "*"), "Sid": "x"}]}, "Statement[0]: unknown member(s) Sid"),
    ({"Version": "1", "Statement": [{**allow("*", "*"), "comment": "x"}]},
     "Statement[0]: unknown member(s) comment"),
])
def test_bad_policy_documents_are_refused_naming_the_member(doc, message):
    with pytest.raises(ScenarioError) as err:
        load_policy(doc)
    assert message in str(err.value)


def test_a_bad_policy_file_exits_2_naming_the_member(tmp_path):
    path = policy_file(tmp_path, [allow("*", "*"), {"Effect": "Allow", "Action": "dcdn:*"}])
    err = exits_2(tmp_path, args=["--ram-policy", f"testid={path}"])
    assert (f"argument --ram-policy: testid: {path}: Statement[1]: "
            '"Resource" must be a string or a non-empty list of strings') in err
    broken = tmp_path / "broken.json"
    broken.write_text('{"Version": "1",')
    err = exits_2(tmp_path, args=["--ram-policy", f"testid={broken}"])
    assert f"argument --ram-policy: testid: {broken}: Expecting" in err
    err = exits_2(tmp_path, args=["--ram-policy", f"testid={tmp_path / 'missing.json'}"])
    assert "No such file or directory" in err
    err = exits_2(tmp_path, args=["--ram-policy", "testid"])
    assert "argument --ram-policy: expected ID=FILE, got 'testid'" in err
    err = exits_2(tmp_path, args=["--ram-policy", f"nobody={SHIPPED_POLICY}"])
    assert "--ram-policy for a key not given by --credentials: nobody" in err
