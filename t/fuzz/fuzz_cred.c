/* Credentials text: the SDKs' INI credentials file, the ECS metadata
 * service's answer and STS AssumeRole's. The INI file is read for profile
 * "default" and for the profile its first line names; the whole input is
 * also read as a metadata answer, an AssumeRole answer (and error), a role
 * listing and a secret file. Checks that what is accepted is complete, and
 * that an answer nested deeper than RESP_MAX_DEPTH is refused before yajl
 * builds a tree of it. */
#include "core/cred.h"
#include "core/sts.h"

#include "fuzz.h"
#include "fuzz_json.h"

static void fuzz_ini(const char *text, const char *profile) {
  cred_profile_t p;
  char why[256];
  why[0] = '\0';
  int status = cred_parse_ini(text, profile, &p, why, sizeof(why));
  FUZZ_CHECK(status == 0 || status == -1);
  if (status != 0) {
    FUZZ_CHECK(why[0] != '\0');
  } else if (p.type == CRED_PROFILE_RAM_ROLE_ARN) {
    FUZZ_CHECK(p.role.arn && p.role.arn[0]);
    FUZZ_CHECK(p.cred.access_key_id && p.cred.access_key_secret);
  } else if (p.type == CRED_PROFILE_ECS_RAM_ROLE) {
    FUZZ_CHECK(p.cred.access_key_id == NULL);
    FUZZ_CHECK(p.role_name == NULL || p.role_name[0] != '\0');
  } else {
    FUZZ_CHECK(p.cred.access_key_id && p.cred.access_key_id[0]);
    FUZZ_CHECK(p.cred.access_key_secret && p.cred.access_key_secret[0]);
    FUZZ_CHECK((p.type == CRED_PROFILE_STS) == (p.cred.security_token != NULL));
  }
  cred_profile_free(&p);
}

/* An answer that gives expiring credentials: the metadata service's or
 * AssumeRole's. */
static void fuzz_answer(const char *text, int too_deep,
                        int (*parse)(const char *, cred_t *, char *, size_t)) {
  cred_t c;
  char why[256];
  why[0] = '\0';
  int status = parse(text, &c, why, sizeof(why));
  FUZZ_CHECK(status == 0 || status == -1);
  if (too_deep)
    FUZZ_CHECK(status == -1 && strstr(why, "too deeply") != NULL);
  if (status != 0) {
    FUZZ_CHECK(why[0] != '\0');
    FUZZ_CHECK(c.access_key_id == NULL && c.access_key_secret == NULL &&
               c.security_token == NULL);
  } else {
    FUZZ_CHECK(c.access_key_id && c.access_key_secret && c.security_token);
    FUZZ_CHECK(c.expiration > 0);
    cred_t copy;
    FUZZ_CHECK(cred_copy(&copy, &c) == 0);
    cred_free(&copy);
  }
  cred_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  fuzz_ini(text, "default");
  char profile[64];
  snprintf(profile, sizeof(profile), "%.*s", (int)strcspn(text, "\n"), text);
  fuzz_ini(text, profile);

  int too_deep = fuzz_too_deep_for_yajl(text);
  fuzz_answer(text, too_deep, cred_parse_metadata);
  fuzz_answer(text, too_deep, sts_parse_answer);
  sts_error_t err;
  sts_parse_error(text, &err);
  FUZZ_CHECK(strstr(err.message, "string to sign") == NULL);

  free(cred_first_role(text));
  char *secret = cred_secret_from_file_text(text);
  FUZZ_CHECK(secret != NULL);
  free(secret);
  free(text);
  return 0;
}
