/* Complete signed requests: URL and headers for V1 and V3. */
#include "core/request.h"
#include "core/sign.h"

#include "unit.h"

#include <check.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define ENDPOINT "https://dcdn.aliyuncs.com"
#define KEY_ID "LTAI5tTestKeyId"
#define SECRET "s3cr3t+Secret/Value=="
#define TOKEN "CAIS+sts/token=="
#define NONCE "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
#define TIMESTAMP "2024-05-06T07:08:09Z"

static params_t api;
static request_t sent;      /* the last request built */
static params_t sent_query; /* the decoded query of its URL, once asked */

static void setup(void) {
  api = (params_t)PARAMS_INIT;
  params_add(&api, "StartTime", "2024-05-06T06:08:09Z");
  params_add(&api, "EndTime", TIMESTAMP);
  params_add(&api, "PageSize", "50");
  params_add(&api, "PageNumber", "2");
  params_add(&api, "DomainName", "example.com");
  sent = (request_t){NULL, PARAMS_INIT};
  sent_query = (params_t)PARAMS_INIT;
}

static void teardown(void) {
  params_free(&api);
  request_free(&sent);
  params_free(&sent_query);
}

/* Each test leaves what it builds to teardown. */
static const unit_case_t test_case = {.setup = setup, .teardown = teardown};

static request_spec_t spec(int version, const char *token) {
  request_spec_t s = {version,
                      ENDPOINT,
                      "dcdn.aliyuncs.com",
                      KEY_ID,
                      SECRET,
                      token,
                      "DescribeDcdnRefreshTasks",
                      &api,
                      NONCE,
                      TIMESTAMP,
                      NULL};
  return s;
}

static int hex_value(char c) {
  if (isdigit((unsigned char)c))
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1; /* lowercase hex is not what the API wants */
}

/* Percent-decodes [s, s+len) into a new string; fails the test on a '+', a
 * lowercase or truncated escape, or a byte that should have been encoded. */
static char *decode(const char *s, size_t len) {
  char *out = malloc(len + 1);
  ck_assert_ptr_nonnull(out);
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '%') {
      ck_assert_msg(i + 2 < len, "truncated escape in %.*s", (int)len, s);
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      ck_assert_msg(hi >= 0 && lo >= 0, "bad escape in %.*s", (int)len, s);
      out[o++] = (char)(hi * 16 + lo);
      i += 2;
    } else {
      ck_assert_msg(isalnum(c) || strchr("-_.~", c) != NULL,
                    "unencoded '%c' in %.*s", c, (int)len, s);
      out[o++] = (char)c;
    }
  }
  out[o] = '\0';
  return out;
}

/* Splits a query string into decoded pairs, in order. */
static void parse_query(const char *query, params_t *out) {
  while (*query != '\0') {
    size_t len = strcspn(query, "&");
    const char *eq = memchr(query, '=', len);
    ck_assert_msg(eq != NULL, "pair without '=' in %s", query);
    char *name = decode(query, (size_t)(eq - query));
    char *value = decode(eq + 1, len - (size_t)(eq - query) - 1);
    ck_assert_msg(value[0] != '\0', "%s has an empty value", name);
    ck_assert_int_eq(params_add(out, name, value), 0);
    free(name);
    free(value);
    query += len;
    if (*query == '&')
      query++;
  }
}

/* The query of a URL that must start with ENDPOINT "/?". */
static const char *query_of(const char *url) {
  size_t n = strlen(ENDPOINT "/?");
  ck_assert_msg(strncmp(url, ENDPOINT "/?", n) == 0, "url %s", url);
  return url + n;
}

static void assert_api_params_present(const params_t *q) {
  for (size_t i = 0; i < api.count; i++) {
    const char *v = params_get(q, api.items[i].name);
    ck_assert_msg(v != NULL, "%s missing", api.items[i].name);
    ck_assert_str_eq(v, api.items[i].value);
  }
}

static void assert_secret_nowhere(const request_t *req) {
  ck_assert_ptr_null(strstr(req->url, SECRET));
  ck_assert_ptr_null(strstr(req->url, "s3cr3t"));
  for (size_t i = 0; i < req->headers.count; i++) {
    ck_assert_ptr_null(strstr(req->headers.items[i].name, "s3cr3t"));
    ck_assert_ptr_null(strstr(req->headers.items[i].value, "s3cr3t"));
  }
}

/* Builds the request s describes, which must succeed, in place of the last
 * one. */
static const request_t *build_from(const request_spec_t *s) {
  request_free(&sent);
  params_free(&sent_query);
  ck_assert_int_eq(request_build(s, &sent), 0);
  return &sent;
}

/* Builds the signature version's request for the fixture's api params. */
static const request_t *build(int version, const char *token) {
  request_spec_t s = spec(version, token);
  return build_from(&s);
}

/* Builds a V1 request and returns the decoded parameters of its URL. */
static const params_t *build_v1_query(const char *token) {
  build(1, token);
  parse_query(query_of(sent.url), &sent_query);
  return &sent_query;
}

/* Recomputes the V1 Signature from the other parameters of the query. */
static void assert_v1_signature_recomputes(const params_t *q) {
  params_t rest = PARAMS_INIT;
  for (size_t i = 0; i < q->count; i++)
    if (strcmp(q->items[i].name, "Signature") != 0)
      params_add(&rest, q->items[i].name, q->items[i].value);
  strbuf_t want = STRBUF_INIT;
  ck_assert_int_eq(sign_v1_signature(&want, "GET", &rest, SECRET), 0);
  ck_assert_str_eq(params_get(q, "Signature"), strbuf_str(&want));
  strbuf_free(&want);
  params_free(&rest);
}

START_TEST(v1_url_holds_every_common_parameter) {
  const params_t *q = build_v1_query(NULL);
  ck_assert_str_eq(params_get(q, "Action"), "DescribeDcdnRefreshTasks");
  ck_assert_str_eq(params_get(q, "Version"), "2018-01-15");
  ck_assert_str_eq(params_get(q, "Format"), "JSON");
  ck_assert_str_eq(params_get(q, "AccessKeyId"), KEY_ID);
  ck_assert_str_eq(params_get(q, "SignatureMethod"), "HMAC-SHA1");
  ck_assert_str_eq(params_get(q, "SignatureVersion"), "1.0");
  ck_assert_str_eq(params_get(q, "SignatureNonce"), NONCE);
  ck_assert_str_eq(params_get(q, "Timestamp"), TIMESTAMP);
  ck_assert_ptr_nonnull(params_get(q, "Signature"));
  ck_assert_ptr_null(params_get(q, "SecurityToken"));
  assert_api_params_present(q);
  ck_assert_uint_eq(q->count, 9 + api.count);
  /* The timestamp's colons travel percent-encoded. */
  ck_assert_ptr_nonnull(
      strstr(sent.url, "&Timestamp=2024-05-06T07%3A08%3A09Z"));
  ck_assert_ptr_null(strstr(sent.url, "07:08"));
  ck_assert_uint_eq(sent.headers.count, 0);
}
END_TEST

START_TEST(v1_signature_is_the_hmac_of_the_other_parameters) {
  const params_t *q = build_v1_query(NULL);
  assert_v1_signature_recomputes(q);
  /* Base64 of a 20-byte SHA-1 HMAC. */
  ck_assert_uint_eq(strlen(params_get(q, "Signature")), 28);
}
END_TEST

START_TEST(v1_signature_changes_with_the_secret) {
  request_spec_t s = spec(1, NULL);
  char *first_url = strdup(build_from(&s)->url);
  s.access_key_secret = "another";
  ck_assert_str_ne(first_url, build_from(&s)->url);
  free(first_url);
}
END_TEST

START_TEST(v1_with_a_security_token_sends_it_signed) {
  const params_t *q = build_v1_query(TOKEN);
  ck_assert_str_eq(params_get(q, "SecurityToken"), TOKEN);
  assert_v1_signature_recomputes(q);
  assert_secret_nowhere(&sent);
}
END_TEST

START_TEST(v1_never_shows_the_secret) { assert_secret_nowhere(build(1, NULL)); }
END_TEST

START_TEST(v3_url_holds_only_the_api_params_sorted_and_encoded) {
  ck_assert_str_eq(build(3, NULL)->url,
                   ENDPOINT "/?DomainName=example.com"
                            "&EndTime=2024-05-06T07%3A08%3A09Z"
                            "&PageNumber=2&PageSize=50"
                            "&StartTime=2024-05-06T06%3A08%3A09Z");
}
END_TEST

START_TEST(v3_sends_the_signed_headers) {
  const params_t *h = &build(3, NULL)->headers;
  ck_assert_str_eq(params_get(h, "host"), "dcdn.aliyuncs.com");
  ck_assert_str_eq(params_get(h, "x-acs-action"), "DescribeDcdnRefreshTasks");
  ck_assert_str_eq(params_get(h, "x-acs-version"), "2018-01-15");
  ck_assert_str_eq(params_get(h, "x-acs-date"), TIMESTAMP);
  ck_assert_str_eq(params_get(h, "x-acs-signature-nonce"), NONCE);
  ck_assert_str_eq(params_get(h, "x-acs-content-sha256"),
                   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
                   "7852b855");
  ck_assert_ptr_null(params_get(h, "x-acs-security-token"));
  const char *auth = params_get(h, "Authorization");
  ck_assert_ptr_nonnull(auth);
  const char *prefix = "ACS3-HMAC-SHA256 Credential=" KEY_ID
                       ",SignedHeaders=host;x-acs-action;x-acs-content-sha256;"
                       "x-acs-date;x-acs-signature-nonce;x-acs-version,"
                       "Signature=";
  ck_assert_msg(strncmp(auth, prefix, strlen(prefix)) == 0, "auth %s", auth);
  const char *sig = auth + strlen(prefix);
  ck_assert_uint_eq(strlen(sig), 64);
  ck_assert_uint_eq(strspn(sig, "0123456789abcdef"), 64);
  ck_assert_uint_eq(h->count, 7);
}
END_TEST

/* Recomputes the Authorization value from the request's own headers. */
static void assert_v3_authorization_recomputes(const request_t *req) {
  params_t q = PARAMS_INIT, h = PARAMS_INIT;
  for (size_t i = 0; i < api.count; i++)
    params_add(&q, api.items[i].name, api.items[i].value);
  for (size_t i = 0; i < req->headers.count; i++)
    if (strcmp(req->headers.items[i].name, "Authorization") != 0)
      params_add(&h, req->headers.items[i].name, req->headers.items[i].value);
  sign_v3_request_t v3 = {"GET", &q, &h, SIGN_EMPTY_BODY_SHA256};
  strbuf_t want = STRBUF_INIT;
  ck_assert_int_eq(sign_v3_authorization(&want, &v3, KEY_ID, SECRET), 0);
  ck_assert_str_eq(params_get(&req->headers, "Authorization"),
                   strbuf_str(&want));
  strbuf_free(&want);
  params_free(&q);
  params_free(&h);
}

START_TEST(v3_authorization_signs_the_sent_query_and_headers) {
  assert_v3_authorization_recomputes(build(3, NULL));
}
END_TEST

START_TEST(v3_with_a_security_token_signs_the_token_header) {
  build(3, TOKEN);
  ck_assert_str_eq(params_get(&sent.headers, "x-acs-security-token"), TOKEN);
  ck_assert_ptr_nonnull(strstr(params_get(&sent.headers, "Authorization"),
                               ";x-acs-security-token;"));
  ck_assert_ptr_null(strstr(sent.url, "SecurityToken"));
  assert_v3_authorization_recomputes(&sent);
  assert_secret_nowhere(&sent);
}
END_TEST

START_TEST(v3_never_shows_the_secret) {
  assert_secret_nowhere(build(3, NULL));
  ck_assert_ptr_null(strstr(sent.url, "Signature"));
  ck_assert_ptr_null(strstr(sent.url, "AccessKeyId"));
}
END_TEST

START_TEST(v3_without_api_params_has_no_query) {
  params_free(&api);
  ck_assert_str_eq(build(3, NULL)->url, ENDPOINT "/");
  assert_v3_authorization_recomputes(&sent);
}
END_TEST

START_TEST(api_params_with_reserved_characters_are_encoded) {
  params_free(&api);
  params_add(&api, "ObjectPath", "http://example.com/a b*c~d");
  ck_assert_str_eq(build(3, NULL)->url, ENDPOINT
                   "/?ObjectPath=http%3A%2F%2Fexample.com%2Fa%20b%2Ac~d");
  ck_assert_str_eq(params_get(build_v1_query(NULL), "ObjectPath"),
                   "http://example.com/a b*c~d");
}
END_TEST

START_TEST(the_callers_params_are_left_as_they_were) {
  build(1, NULL);
  build(3, NULL);
  ck_assert_uint_eq(api.count, 5);
  ck_assert_str_eq(api.items[0].name, "StartTime");
  ck_assert_str_eq(api.items[4].name, "DomainName");
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      v1_url_holds_every_common_parameter,
      v1_signature_is_the_hmac_of_the_other_parameters,
      v1_signature_changes_with_the_secret,
      v1_with_a_security_token_sends_it_signed,
      v1_never_shows_the_secret,
      v3_url_holds_only_the_api_params_sorted_and_encoded,
      v3_sends_the_signed_headers,
      v3_authorization_signs_the_sent_query_and_headers,
      v3_with_a_security_token_signs_the_token_header,
      v3_never_shows_the_secret,
      v3_without_api_params_has_no_query,
      api_params_with_reserved_characters_are_encoded,
      the_callers_params_are_left_as_they_were,
  };
  return unit_main("request", tests, N_OF(tests), &test_case);
}
