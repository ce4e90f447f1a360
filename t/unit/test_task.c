/* What a task's fields mean: the domain of an object path (a host name by
 * the rule configured domains follow) and the API's time format. */
#include "core/conf.h"
#include "core/isotime.h"
#include "core/task.h"

#include "unit.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

static void assert_domain(const char *path, const char *want) {
  char out[CONF_MAX_DOMAIN_LEN + 1];
  memset(out, 'x', sizeof(out));
  ck_assert_msg(task_domain_of_path(path, out, sizeof(out)) == 0,
                "no domain in %s", path);
  ck_assert_str_eq(out, want);
}

static void assert_no_domain(const char *path) {
  char out[CONF_MAX_DOMAIN_LEN + 1];
  ck_assert_msg(task_domain_of_path(path, out, sizeof(out)) == -1,
                "a domain \"%s\" in \"%s\"", out, path);
}

START_TEST(domain_of_path_is_the_lowercased_host) {
  assert_domain("http://Ex.COM:8080/a?b", "ex.com");
  assert_domain("https://a.b/c", "a.b");
  assert_domain("http://example.com/examplefile.txt", "example.com");
  assert_domain("HTTPS://WWW.Example.ORG", "www.example.org");
  assert_domain("http://example.com?x=1", "example.com");
  assert_domain("http://example.com#top", "example.com");
}
END_TEST

START_TEST(domain_of_path_without_a_scheme) {
  assert_domain("a.b/c", "a.b");
  assert_domain("Example.com:443/dir/", "example.com");
  assert_domain("example.com", "example.com");
}
END_TEST

START_TEST(domain_of_path_ignores_a_url_inside_the_path) {
  assert_domain("example.com/go?to=http://other.com/", "example.com");
  assert_domain("http://example.com/go?to=http://other.com/", "example.com");
}
END_TEST

START_TEST(domain_of_path_refuses_no_host_or_a_small_buffer) {
  char out[8];
  ck_assert_int_eq(task_domain_of_path("", out, sizeof(out)), -1);
  ck_assert_int_eq(task_domain_of_path("http://", out, sizeof(out)), -1);
  ck_assert_int_eq(task_domain_of_path("http:///x", out, sizeof(out)), -1);
  ck_assert_int_eq(task_domain_of_path("/only/a/path", out, sizeof(out)), -1);
  /* "abcdefgh" needs 9 bytes with its NUL. */
  ck_assert_int_eq(task_domain_of_path("http://abcdefgh/", out, sizeof(out)),
                   -1);
  ck_assert_int_eq(task_domain_of_path("http://abcdefg/", out, sizeof(out)), 0);
  ck_assert_str_eq(out, "abcdefg");
}
END_TEST

/* Hosts a peer may put in an ObjectPath that name no domain. */
static const char *const bad_hosts[] = {
    "http://exa mple.com/a",       /* a space */
    "http://example.com\n/a",      /* a newline */
    "http://evil.com\r\nX: y/a",   /* header injection */
    "http://exa\x1b[31mmple.com/", /* an escape sequence */
    "http://a\x01.com/",           /* a control byte */
    "http://a..com/",              /* an empty label */
    "http://../etc/passwd",        /* a path's dots */
    "http://.example.com/",        /* a leading dot */
    "http://example.com./",        /* a trailing dot */
    "http://-a.com/",              /* a label starting with '-' */
    "http://a-.com/",              /* a label ending with '-' */
    "http://a_b.com/",             /* an underscore */
    "http://user@example.com/",    /* user information */
    "http://[::1]:80/",            /* an IPv6 literal */
    "http://*/",                   /* the configured wildcard */
    "http://b\xc3\xbc"
    "cher.de/", /* an IDN not in punycode */
};

START_TEST(domain_of_path_refuses_what_is_no_host_name) {
  assert_no_domain(bad_hosts[_i]);
}
END_TEST

START_TEST(domain_of_path_takes_punycode_and_long_labels) {
  assert_domain("https://xn--bcher-kva.example/a", "xn--bcher-kva.example");
  assert_domain("http://XN--FIQS8S.xn--55qx5d.cn/", "xn--fiqs8s.xn--55qx5d.cn");
  assert_domain("http://1.2.3.4/", "1.2.3.4");
  assert_domain("http://a-b--c.com/", "a-b--c.com");
}
END_TEST

START_TEST(a_label_is_at_most_63_characters) {
  char host[80], path[96];
  memset(host, 'a', 63);
  strcpy(host + 63, ".com");
  snprintf(path, sizeof(path), "http://%s/x", host);
  assert_domain(path, host);
  host[63] = 'a';
  strcpy(host + 64, ".com");
  snprintf(path, sizeof(path), "http://%s/x", host);
  assert_no_domain(path);
}
END_TEST

START_TEST(a_valid_host_name_is_at_most_253_characters) {
  /* Three labels of 63 characters and one of 61: 253 characters. */
  char name[300];
  memset(name, 'a', sizeof(name));
  for (size_t i = 63; i < sizeof(name); i += 64)
    name[i] = '.';
  name[253] = '\0';
  ck_assert_msg(name[252] != '.', "the name ends in a label");
  ck_assert(conf_valid_domain_name(name));
  name[253] = 'a';
  name[254] = '\0';
  ck_assert(!conf_valid_domain_name(name));
  ck_assert(!conf_valid_domain_name(""));
  ck_assert(!conf_valid_domain_name("*"));
}
END_TEST

static void assert_time(const char *s, time_t want) {
  time_t t = 0;
  ck_assert_msg(isotime_parse_fraction(s, &t) == 0, "refused %s", s);
  ck_assert_int_eq(t, want);
}

/* The strict form (credentials' Expiration) stays strict. */
START_TEST(fractional_seconds_are_read_and_dropped) {
  time_t t = 0;
  ck_assert_int_eq(isotime_parse("2026-01-01T10:00:00.123Z", &t), -1);
  assert_time("2026-01-01T10:00:00Z", 1767261600);
  assert_time("2026-01-01T10:00:00.123Z", 1767261600);
  assert_time("2026-01-01T10:00:00.999999999Z", 1767261600);
  assert_time("2026-01-01T10:00:00.0Z", 1767261600);
}
END_TEST

START_TEST(a_time_not_of_the_form_is_refused) {
  static const char *const bad[] = {
      "2026-01-01T10:00:00.Z",    /* a point without digits */
      "2026-01-01T10:00:00.12",   /* no Z */
      "2026-01-01T10:00:00.1x2Z", /* junk in the fraction */
      "2026-01-01T10:00:00,5Z",   /* a comma */
      "2026-01-01T10:00:00Z.5",   /* after the Z */
      "2026-01-01T10:00:00ZZ",    /* two Zs */
      "2026-01-01T10:00:00",      /* no Z at all */
      "2026-01-01T10:00Z",        /* no seconds */
      "2026-02-30T10:00:00.5Z",   /* no such day */
      "N/A",
  };
  for (size_t i = 0; i < N_OF(bad); i++) {
    time_t t = 0;
    ck_assert_msg(isotime_parse_fraction(bad[i], &t) == -1, "took %s", bad[i]);
  }
}
END_TEST

static void add_loops(Suite *suite, TCase *tc) {
  (void)suite;
  tcase_add_loop_test(tc, domain_of_path_refuses_what_is_no_host_name, 0,
                      N_OF(bad_hosts));
}

static const unit_case_t test_case = {.extend = add_loops};

int main(void) {
  const TTest *const tests[] = {
      domain_of_path_is_the_lowercased_host,
      domain_of_path_without_a_scheme,
      domain_of_path_ignores_a_url_inside_the_path,
      domain_of_path_refuses_no_host_or_a_small_buffer,
      domain_of_path_takes_punycode_and_long_labels,
      a_label_is_at_most_63_characters,
      a_valid_host_name_is_at_most_253_characters,
      fractional_seconds_are_read_and_dropped,
      a_time_not_of_the_form_is_refused,
  };
  return unit_main("task", tests, N_OF(tests), &test_case);
}
