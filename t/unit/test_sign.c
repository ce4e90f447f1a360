/* Percent-encoding and both published signature examples, reproduced. */
#include "core/sign.h"

#include "unit.h"

#include <check.h>
#include <stdlib.h>

static char *encode(const char *s) {
  strbuf_t sb = STRBUF_INIT;
  sign_percent_encode(&sb, s);
  return strbuf_take(&sb);
}

START_TEST(percent_encoding_matches_the_facts_file) {
  char *e = encode(" ~/*-+");
  ck_assert_str_eq(e, "%20~%2F%2A-%2B");
  free(e);
}
END_TEST

START_TEST(percent_encoding_keeps_unreserved_and_encodes_utf8) {
  char *e = encode("AZaz09-_.~:=&\xc3\xa9");
  ck_assert_str_eq(e, "AZaz09-_.~%3A%3D%26%C3%A9");
  free(e);
}
END_TEST

START_TEST(canonical_query_sorts_by_name_and_encodes_both_sides) {
  params_t p = PARAMS_INIT;
  params_add(&p, "b", "2 3");
  params_add(&p, "A", "x/y");
  params_add(&p, "a", "1");
  strbuf_t sb = STRBUF_INIT;
  sign_canonical_query(&sb, &p);
  ck_assert_str_eq(strbuf_str(&sb), "A=x%2Fy&a=1&b=2%203");
  strbuf_free(&sb);
  params_free(&p);
}
END_TEST

static void v1_example_params(params_t *p) {
  params_add(p, "AccessKeyId", "testid");
  params_add(p, "Action", "DescribeRegions");
  params_add(p, "Format", "XML");
  params_add(p, "SignatureMethod", "HMAC-SHA1");
  params_add(p, "SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf");
  params_add(p, "SignatureVersion", "1.0");
  params_add(p, "Timestamp", "2016-02-23T12:46:24Z");
  params_add(p, "Version", "2014-05-26");
}

START_TEST(v1_string_to_sign_matches_the_published_example) {
  params_t p = PARAMS_INIT;
  v1_example_params(&p);
  strbuf_t sb = STRBUF_INIT;
  sign_v1_string_to_sign(&sb, "GET", &p);
  ck_assert_str_eq(
      strbuf_str(&sb),
      "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
      "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-"
      "a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-"
      "23T12%253A46%253A24Z%26Version%3D2014-05-26");
  strbuf_free(&sb);
  params_free(&p);
}
END_TEST

START_TEST(v1_signature_matches_the_published_example) {
  params_t p = PARAMS_INIT;
  v1_example_params(&p);
  strbuf_t sb = STRBUF_INIT;
  ck_assert_int_eq(sign_v1_signature(&sb, "GET", &p, "testsecret"), 0);
  ck_assert_str_eq(strbuf_str(&sb), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
  strbuf_free(&sb);
  params_free(&p);
}
END_TEST

static void v3_example(params_t *query, params_t *headers) {
  params_add(query, "RegionId", "cn-shanghai");
  params_add(query, "ImageId",
             "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd");
  params_add(headers, "Host", "ecs.cn-shanghai.aliyuncs.com");
  params_add(headers, "x-acs-action", "RunInstances");
  params_add(headers, "x-acs-version", "2014-05-26");
  params_add(headers, "x-acs-date", "2023-10-26T10:22:32Z");
  params_add(headers, "x-acs-signature-nonce",
             "3156853299f313e23d1673dc12e1703d");
  params_add(headers, "x-acs-content-sha256", SIGN_EMPTY_BODY_SHA256);
}

START_TEST(v3_canonical_request_matches_the_published_hash) {
  params_t q = PARAMS_INIT, h = PARAMS_INIT;
  v3_example(&q, &h);
  sign_v3_request_t req = {"POST", &q, &h, SIGN_EMPTY_BODY_SHA256};
  strbuf_t canonical = STRBUF_INIT, signed_headers = STRBUF_INIT;
  sign_v3_canonical_request(&canonical, &signed_headers, &req);
  ck_assert_str_eq(strbuf_str(&signed_headers),
                   "host;x-acs-action;x-acs-content-sha256;x-acs-date;"
                   "x-acs-signature-nonce;x-acs-version");
  ck_assert_str_eq(
      strbuf_str(&canonical),
      "POST\n/\nImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"
      "&RegionId=cn-shanghai\nhost:ecs.cn-shanghai.aliyuncs.com\n"
      "x-acs-action:RunInstances\nx-acs-content-sha256:" SIGN_EMPTY_BODY_SHA256
      "\nx-acs-date:2023-10-26T10:22:32Z\nx-acs-signature-nonce:"
      "3156853299f313e23d1673dc12e1703d\nx-acs-version:2014-05-26\n\n"
      "host;x-acs-action;x-acs-content-sha256;x-acs-date;"
      "x-acs-signature-nonce;x-acs-version\n" SIGN_EMPTY_BODY_SHA256);
  strbuf_free(&canonical);
  strbuf_free(&signed_headers);
  params_free(&q);
  params_free(&h);
}
END_TEST

START_TEST(v3_signature_matches_the_published_example) {
  params_t q = PARAMS_INIT, h = PARAMS_INIT;
  v3_example(&q, &h);
  sign_v3_request_t req = {"POST", &q, &h, SIGN_EMPTY_BODY_SHA256};
  strbuf_t auth = STRBUF_INIT;
  ck_assert_int_eq(sign_v3_authorization(&auth, &req, "YourAccessKeyId",
                                         "YourAccessKeySecret"),
                   0);
  ck_assert_str_eq(
      strbuf_str(&auth),
      "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;"
      "x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;"
      "x-acs-version,Signature="
      "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
  strbuf_free(&auth);
  params_free(&q);
  params_free(&h);
}
END_TEST

START_TEST(v3_trims_header_values) {
  params_t q = PARAMS_INIT, h = PARAMS_INIT;
  params_add(&h, "x-acs-b", "  two ");
  params_add(&h, "HOST", "h");
  sign_v3_request_t req = {"GET", &q, &h, "x"};
  strbuf_t c = STRBUF_INIT, s = STRBUF_INIT;
  sign_v3_canonical_request(&c, &s, &req);
  ck_assert_str_eq(strbuf_str(&c), "GET\n/\n\nhost:h\nx-acs-b:two\n\n"
                                   "host;x-acs-b\nx");
  strbuf_free(&c);
  strbuf_free(&s);
  params_free(&q);
  params_free(&h);
}
END_TEST

int main(void) {
  const TTest *const tests[] = {
      percent_encoding_matches_the_facts_file,
      percent_encoding_keeps_unreserved_and_encodes_utf8,
      canonical_query_sorts_by_name_and_encodes_both_sides,
      v1_string_to_sign_matches_the_published_example,
      v1_signature_matches_the_published_example,
      v3_canonical_request_matches_the_published_hash,
      v3_signature_matches_the_published_example,
      v3_trims_header_values,
  };
  return unit_main("sign", tests, N_OF(tests), NULL);
}
