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

/* An account as conf_add_block leaves it: domains sorted by name. */
static conf_account_t account_of(conf_domain_t *domains, size_t count) {
  conf_account_t a;
  memset(&a, 0, sizeof(a));
  a.name = (char *)"prod";
  a.domains = domains;
  a.domain_count = count;
  return a;
}

/* Whether by_name lists the entries in strictly ascending name order. */
static bool sorted_by_name(const domtab_t *tab) {
  for (size_t i = 1; i < tab->count; i++)
    if (strcmp(tab->entries[tab->by_name[i - 1]].name,
               tab->entries[tab->by_name[i]].name) >= 0)
      return false;
  return true;
}

static conf_domain_t three_domains[] = {
    {(char *)"a.example.com", CONF_TYPES_ALL},
    {(char *)"b.example.com", FILE_ONLY},
    {(char *)"www.example.com", FILE_AND_PRELOAD},
};

START_TEST(configured_domains_are_found_by_name) {
  conf_account_t a = account_of(three_domains, 3);
  domtab_t tab;
  ck_assert_int_eq(domtab_init(&tab, &a), 0);
  ck_assert(!tab.wildcard);
  ck_assert_uint_eq(tab.count, 3);
  ck_assert_uint_eq(domtab_find(&tab, "a.example.com"), 0);
  ck_assert_uint_eq(domtab_find(&tab, "b.example.com"), 1);
  ck_assert_uint_eq(domtab_find(&tab, "www.example.com"), 2);
  ck_assert(sorted_by_name(&tab));
  domtab_free(&tab);
}
END_TEST

START_TEST(configured_domains_keep_their_object_types_and_own_their_names) {
  conf_account_t a = account_of(three_domains, 3);
  domtab_t tab;
  ck_assert_int_eq(domtab_init(&tab, &a), 0);
  for (size_t i = 0; i < 3; i++) {
    uint32_t d = domtab_find(&tab, three_domains[i].name);
    ck_assert_uint_ne(d, DOMTAB_NONE);
    ck_assert_str_eq(tab.entries[d].name, three_domains[i].name);
    ck_assert_ptr_ne(tab.entries[d].name, three_domains[i].name);
    ck_assert_uint_eq(tab.entries[d].type_mask, three_domains[i].type_mask);
  }
  domtab_free(&tab);
}
END_TEST

START_TEST(an_unknown_domain_is_not_found) {
  conf_account_t a = account_of(three_domains, 3);
  domtab_t tab;
  ck_assert_int_eq(domtab_init(&tab, &a), 0);
  ck_assert_uint_eq(domtab_find(&tab, "c.example.com"), DOMTAB_NONE);
  ck_assert_uint_eq(domtab_find(&tab, "0.example.com"), DOMTAB_NONE);
  ck_assert_uint_eq(domtab_find(&tab, "zzz.example.com"), DOMTAB_NONE);
  ck_assert_uint_eq(domtab_find(&tab, "example.com"), DOMTAB_NONE);
  ck_assert_uint_eq(domtab_find(&tab, ""), DOMTAB_NONE);
  ck_assert_uint_eq(domtab_find(&tab, "*"), DOMTAB_NONE);
  domtab_free(&tab);
}
END_TEST

START_TEST(without_the_wildcard_resolve_adds_nothing) {
  conf_account_t a = account_of(three_domains, 3);
  domtab_t tab;
  ck_assert_int_eq(domtab_init(&tab, &a), 0);
  ck_assert_uint_eq(domtab_resolve(&tab, "b.example.com"), 1);
  ck_assert_uint_eq(domtab_resolve(&tab, "other.example.com"), DOMTAB_NONE);
  ck_assert_uint_eq(domtab_resolve(&tab, "other.example.com"), DOMTAB_NONE);
  ck_assert_uint_eq(tab.count, 3);
  ck_assert_uint_eq(domtab_find(&tab, "other.example.com"), DOMTAB_NONE);
  domtab_free(&tab);
}
END_TEST

START_TEST(an_empty_account_has_an_empty_table) {
  conf_account_t a = account_of(NULL, 0);
  domtab_t tab;
  ck_assert_int_eq(domtab_init(&tab, &a), 0);
  ck_assert_uint_eq(tab.count, 0);
  ck_assert(!tab.wildcard);
  ck_assert_uint_eq(domtab_find(&tab, "a.example.com"), DOMTAB_NONE);
  ck_assert_uint_eq(domtab_resolve(&tab, "a.example.com"), DOMTAB_NONE);
  domtab_free(&tab);
}
END_TEST

/* "*" sorts before every host name. */
static conf_domain_t wildcard_domains[] = {
    {(char *)CONF_WILDCARD_DOMAIN, CONF_TYPES_ALL},
    {(char *)"m.example.com", FILE_ONLY},
    {(char *)"z.example.com", CONF_TYPES_ALL},
};

START_TEST(the_wildcard_is_a_flag_not_a_domain) {
  conf_account_t a = account_of(wildcard_domains, 3);
  domtab_t tab;
  ck_assert_int_eq(domtab_init(&tab, &a), 0);
  ck_assert(tab.wildcard);
  ck_assert_uint_eq(tab.count, 2);
  ck_assert_uint_eq(domtab_find(&tab, CONF_WILDCARD_DOMAIN), DOMTAB_NONE);
  ck_assert_uint_eq(domtab_find(&tab, "m.example.com"), 0);
  ck_assert_uint_eq(domtab_find(&tab, "z.example.com"), 1);
  domtab_free(&tab);
}
END_TEST

START_TEST(discovered_domains_get_new_indices_and_old_ones_keep_theirs) {
  conf_account_t a = account_of(wildcard_domains, 3);
  domtab_t tab;
  ck_assert_int_eq(domtab_init(&tab, &a), 0);
  /* Sorts before both configured domains. */
  ck_assert_uint_eq(domtab_resolve(&tab, "a.example.com"), 2);
  ck_assert_uint_eq(domtab_find(&tab, "m.example.com"), 0);
  ck_assert_uint_eq(domtab_find(&tab, "z.example.com"), 1);
  ck_assert_uint_eq(domtab_find(&tab, "a.example.com"), 2);
  /* Sorts between them. */
  ck_assert_uint_eq(domtab_resolve(&tab, "n.example.com"), 3);
  ck_assert_uint_eq(domtab_resolve(&tab, "m.example.com"), 0);
  ck_assert_uint_eq(domtab_resolve(&tab, "z.example.com"), 1);
  ck_assert_uint_eq(domtab_resolve(&tab, "a.example.com"), 2);
  ck_assert_uint_eq(domtab_resolve(&tab, "n.example.com"), 3);
  ck_assert_uint_eq(tab.count, 4);
  ck_assert_str_eq(tab.entries[2].name, "a.example.com");
  ck_assert_str_eq(tab.entries[3].name, "n.example.com");
  /* by_name: a, m, n, z. */
  ck_assert_uint_eq(tab.by_name[0], 2);
  ck_assert_uint_eq(tab.by_name[1], 0);
  ck_assert_uint_eq(tab.by_name[2], 3);
  ck_assert_uint_eq(tab.by_name[3], 1);
  /* Configured object types stay; discovered domains report all four. */
  ck_assert_uint_eq(tab.entries[0].type_mask, FILE_ONLY);
  ck_assert_uint_eq(tab.entries[2].type_mask, CONF_TYPES_ALL);
  domtab_free(&tab);
}
END_TEST

START_TEST(thousands_of_discovered_domains_keep_their_first_index) {
  enum { N = 3000 };
  conf_domain_t only_wildcard[] = {
      {(char *)CONF_WILDCARD_DOMAIN, CONF_TYPES_ALL}};
  conf_account_t a = account_of(only_wildcard, 1);
  domtab_t tab;
  ck_assert_int_eq(domtab_init(&tab, &a), 0);
  ck_assert_uint_eq(tab.count, 0);
  /* Names in a scrambled order: 1237 is prime to N. */
  bool ok = true;
  char name[64];
  for (unsigned i = 0; i < N; i++) {
    snprintf(name, sizeof(name), "d%u.example.com", (i * 1237u) % N);
    ok = ok && domtab_resolve(&tab, name) == i;
  }
  ck_assert(ok);
  ck_assert_uint_eq(tab.count, N);
  for (unsigned i = 0; i < N; i++) {
    snprintf(name, sizeof(name), "d%u.example.com", (i * 1237u) % N);
    ok = ok && domtab_find(&tab, name) == i && domtab_resolve(&tab, name) == i;
  }
  ck_assert(ok);
  ck_assert_uint_eq(tab.count, N);
  ck_assert(sorted_by_name(&tab));
  domtab_free(&tab);
}
END_TEST

START_TEST(the_wildcard_stops_adding_at_the_domain_cap) {
  conf_account_t a = account_of(wildcard_domains, 3);
  domtab_t tab;
  ck_assert_int_eq(domtab_init(&tab, &a), 0);
  bool ok = true;
  char name[64];
  for (uint32_t i = 2; i < DOMTAB_MAX_DOMAINS; i++) {
    snprintf(name, sizeof(name), "host%u.example.com", i);
    ok = ok && domtab_resolve(&tab, name) == i;
  }
  ck_assert(ok);
  ck_assert_uint_eq(tab.count, DOMTAB_MAX_DOMAINS);
  ck_assert_uint_eq(domtab_resolve(&tab, "one-too-many.example.com"),
                    DOMTAB_NONE);
  ck_assert_uint_eq(domtab_resolve(&tab, "aaa.example.com"), DOMTAB_NONE);
  ck_assert_uint_eq(tab.count, DOMTAB_MAX_DOMAINS);
  /* What is there stays reachable. */
  ck_assert_uint_eq(domtab_resolve(&tab, "m.example.com"), 0);
  ck_assert_uint_eq(domtab_resolve(&tab, "z.example.com"), 1);
  snprintf(name, sizeof(name), "host%u.example.com",
           (unsigned)(DOMTAB_MAX_DOMAINS - 1));
  ck_assert_uint_eq(domtab_resolve(&tab, name), DOMTAB_MAX_DOMAINS - 1);
  ck_assert(sorted_by_name(&tab));
  domtab_free(&tab);
}
END_TEST

START_TEST(free_leaves_an_empty_table) {
  conf_account_t a = account_of(wildcard_domains, 3);
  domtab_t tab;
  ck_assert_int_eq(domtab_init(&tab, &a), 0);
  domtab_resolve(&tab, "a.example.com");
  domtab_free(&tab);
  ck_assert_ptr_null(tab.entries);
  ck_assert_ptr_null(tab.by_name);
  ck_assert_uint_eq(tab.count, 0);
  ck_assert(!tab.wildcard);
  ck_assert_uint_eq(domtab_find(&tab, "m.example.com"), DOMTAB_NONE);
  domtab_free(&tab);
}
END_TEST

int main(void) {
  Suite *s = suite_create("domtab");
  TCase *tc = tcase_create("domtab");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, configured_domains_are_found_by_name);
  tcase_add_test(
      tc, configured_domains_keep_their_object_types_and_own_their_names);
  tcase_add_test(tc, an_unknown_domain_is_not_found);
  tcase_add_test(tc, without_the_wildcard_resolve_adds_nothing);
  tcase_add_test(tc, an_empty_account_has_an_empty_table);
  tcase_add_test(tc, the_wildcard_is_a_flag_not_a_domain);
  tcase_add_test(tc,
                 discovered_domains_get_new_indices_and_old_ones_keep_theirs);
  tcase_add_test(tc, thousands_of_discovered_domains_keep_their_first_index);
  tcase_add_test(tc, the_wildcard_stops_adding_at_the_domain_cap);
  tcase_add_test(tc, free_leaves_an_empty_table);
  suite_add_tcase(s, tc);
  return unit_run(s);
}
