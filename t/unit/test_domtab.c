/* The domains an account reports: configured ones found by name, and with
 * Domain "*" the ones its tasks name, each keeping its number for good. */
#include "core/domtab.h"

#include "unit.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define FILE_ONLY (1u << TASK_TYPE_FILE)
#define FILE_AND_PRELOAD ((1u << TASK_TYPE_FILE) | (1u << TASK_TYPE_PRELOAD))

static domtab_t tab;

static void teardown(void) { domtab_free(&tab); }

/* Each test leaves tab to teardown; filling the table to its cap takes a
 * while. */
static const unit_case_t test_case = {.teardown = teardown, .timeout = 60};

/* Fills tab as for an account with these domains, sorted by name as
 * conf_add_block leaves them. */
static void init_table(conf_domain_t *domains, size_t count) {
  conf_account_t a;
  memset(&a, 0, sizeof(a));
  a.name = (char *)"prod";
  a.domains = domains;
  a.domain_count = count;
  ck_assert_int_eq(domtab_init(&tab, &a), 0);
}

static void assert_find(const char *name, uint32_t want) {
  uint32_t got = domtab_find(&tab, name);
  ck_assert_msg(got == want, "find \"%s\": %u, not %u", name, got, want);
}

static void assert_resolve(const char *name, uint32_t want) {
  uint32_t got = domtab_resolve(&tab, name);
  ck_assert_msg(got == want, "resolve \"%s\": %u, not %u", name, got, want);
}

/* Whether by_name lists the entries in strictly ascending name order. */
static bool sorted_by_name(void) {
  for (size_t i = 1; i < tab.count; i++)
    if (strcmp(tab.entries[tab.by_name[i - 1]].name,
               tab.entries[tab.by_name[i]].name) >= 0)
      return false;
  return true;
}

enum { MANY = 3000 };

/* The name of the i-th of MANY domains, in a scrambled order: 1237 is prime
 * to MANY. */
static const char *scrambled_name(unsigned i) {
  static char name[64];
  snprintf(name, sizeof(name), "d%u.example.com", (i * 1237u) % MANY);
  return name;
}

static const char *host_name(unsigned i) {
  static char name[64];
  snprintf(name, sizeof(name), "host%u.example.com", i);
  return name;
}

static conf_domain_t three_domains[] = {
    {.name = (char *)"a.example.com", .type_mask = CONF_TYPES_ALL},
    {.name = (char *)"b.example.com", .type_mask = FILE_ONLY},
    {.name = (char *)"www.example.com", .type_mask = FILE_AND_PRELOAD},
};

START_TEST(configured_domains_are_found_by_name) {
  init_table(three_domains, 3);
  ck_assert(!tab.wildcard);
  ck_assert_uint_eq(tab.count, 3);
  for (uint32_t i = 0; i < 3; i++)
    assert_find(three_domains[i].name, i);
  ck_assert(sorted_by_name());
}
END_TEST

START_TEST(configured_domains_keep_their_object_types_and_own_their_names) {
  init_table(three_domains, 3);
  for (size_t i = 0; i < 3; i++) {
    uint32_t d = domtab_find(&tab, three_domains[i].name);
    ck_assert_uint_ne(d, DOMTAB_NONE);
    ck_assert_str_eq(tab.entries[d].name, three_domains[i].name);
    ck_assert_ptr_ne(tab.entries[d].name, three_domains[i].name);
    ck_assert_uint_eq(tab.entries[d].type_mask, three_domains[i].type_mask);
  }
}
END_TEST

START_TEST(an_unknown_domain_is_not_found) {
  static const char *const unknown[] = {"c.example.com",
                                        "0.example.com",
                                        "zzz.example.com",
                                        "example.com",
                                        "",
                                        "*"};
  init_table(three_domains, 3);
  for (size_t i = 0; i < N_OF(unknown); i++)
    assert_find(unknown[i], DOMTAB_NONE);
}
END_TEST

START_TEST(without_the_wildcard_resolve_adds_nothing) {
  init_table(three_domains, 3);
  assert_resolve("b.example.com", 1);
  assert_resolve("other.example.com", DOMTAB_NONE);
  assert_resolve("other.example.com", DOMTAB_NONE);
  ck_assert_uint_eq(tab.count, 3);
  assert_find("other.example.com", DOMTAB_NONE);
}
END_TEST

START_TEST(an_empty_account_has_an_empty_table) {
  init_table(NULL, 0);
  ck_assert_uint_eq(tab.count, 0);
  ck_assert(!tab.wildcard);
  assert_find("a.example.com", DOMTAB_NONE);
  assert_resolve("a.example.com", DOMTAB_NONE);
}
END_TEST

/* "*" sorts before every host name. */
static conf_domain_t wildcard_domains[] = {
    {.name = (char *)CONF_WILDCARD_DOMAIN, .type_mask = CONF_TYPES_ALL},
    {.name = (char *)"m.example.com", .type_mask = FILE_ONLY},
    {.name = (char *)"z.example.com", .type_mask = CONF_TYPES_ALL},
};

START_TEST(the_wildcard_is_a_flag_not_a_domain) {
  init_table(wildcard_domains, 3);
  ck_assert(tab.wildcard);
  ck_assert_uint_eq(tab.count, 2);
  assert_find(CONF_WILDCARD_DOMAIN, DOMTAB_NONE);
  assert_find("m.example.com", 0);
  assert_find("z.example.com", 1);
}
END_TEST

START_TEST(discovered_domains_get_new_indices_and_old_ones_keep_theirs) {
  /* Each domain's index, the configured ones first. */
  static const char *const by_index[] = {"m.example.com", "z.example.com",
                                         "a.example.com", "n.example.com"};
  init_table(wildcard_domains, 3);
  /* Sorts before both configured domains. */
  assert_resolve("a.example.com", 2);
  for (uint32_t i = 0; i < 3; i++)
    assert_find(by_index[i], i);
  /* Sorts between them. */
  assert_resolve("n.example.com", 3);
  for (uint32_t i = 0; i < 4; i++)
    assert_resolve(by_index[i], i);
  ck_assert_uint_eq(tab.count, 4);
  ck_assert_str_eq(tab.entries[2].name, "a.example.com");
  ck_assert_str_eq(tab.entries[3].name, "n.example.com");
  /* by_name: a, m, n, z. */
  static const uint32_t by_name[] = {2, 0, 3, 1};
  for (size_t i = 0; i < 4; i++)
    ck_assert_uint_eq(tab.by_name[i], by_name[i]);
  /* Configured object types stay; discovered domains report all four. */
  ck_assert_uint_eq(tab.entries[0].type_mask, FILE_ONLY);
  ck_assert_uint_eq(tab.entries[2].type_mask, CONF_TYPES_ALL);
}
END_TEST
START_TEST(thousands_of_discovered_domains_keep_their_first_index) {
  conf_domain_t only_wildcard[] = {
      {.name = (char *)CONF_WILDCARD_DOMAIN, .type_mask = CONF_TYPES_ALL}};
  init_table(only_wildcard, 1);
  ck_assert_uint_eq(tab.count, 0);
  /* Plain comparisons: a check assertion per name would be slow. */
  bool ok = true;
  for (unsigned i = 0; i < MANY; i++)
    ok = ok && domtab_resolve(&tab, scrambled_name(i)) == i;
  ck_assert(ok);
  ck_assert_uint_eq(tab.count, MANY);
  for (unsigned i = 0; i < MANY; i++)
    ok = ok && domtab_find(&tab, scrambled_name(i)) == i &&
         domtab_resolve(&tab, scrambled_name(i)) == i;
  ck_assert(ok);
  ck_assert_uint_eq(tab.count, MANY);
  ck_assert(sorted_by_name());
}
END_TEST

START_TEST(the_wildcard_stops_adding_at_the_domain_cap) {
  init_table(wildcard_domains, 3);
  bool ok = true;
  for (uint32_t i = 2; i < DOMTAB_MAX_DOMAINS; i++)
    ok = ok && domtab_resolve(&tab, host_name(i)) == i;
  ck_assert(ok);
  ck_assert_uint_eq(tab.count, DOMTAB_MAX_DOMAINS);
  assert_resolve("one-too-many.example.com", DOMTAB_NONE);
  assert_resolve("aaa.example.com", DOMTAB_NONE);
  ck_assert_uint_eq(tab.count, DOMTAB_MAX_DOMAINS);
  /* What is there stays reachable. */
  assert_resolve("m.example.com", 0);
  assert_resolve("z.example.com", 1);
  assert_resolve(host_name(DOMTAB_MAX_DOMAINS - 1), DOMTAB_MAX_DOMAINS - 1);
  ck_assert(sorted_by_name());
}
END_TEST

START_TEST(free_leaves_an_empty_table) {
  init_table(wildcard_domains, 3);
  domtab_resolve(&tab, "a.example.com");
  domtab_free(&tab);
  ck_assert_ptr_null(tab.entries);
  ck_assert_ptr_null(tab.by_name);
  ck_assert_uint_eq(tab.count, 0);
  ck_assert(!tab.wildcard);
  assert_find("m.example.com", DOMTAB_NONE);
  domtab_free(&tab);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      configured_domains_are_found_by_name,
      configured_domains_keep_their_object_types_and_own_their_names,
      an_unknown_domain_is_not_found,
      without_the_wildcard_resolve_adds_nothing,
      an_empty_account_has_an_empty_table,
      the_wildcard_is_a_flag_not_a_domain,
      discovered_domains_get_new_indices_and_old_ones_keep_theirs,
      thousands_of_discovered_domains_keep_their_first_index,
      the_wildcard_stops_adding_at_the_domain_cap,
      free_leaves_an_empty_table,
  };
  return unit_main("domtab", tests, N_OF(tests), &test_case);
}
