#include "core/sts.h"

#include "core/ascii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sts_pick(char **dst, const cred_role_t *const *sources, size_t n,
                    size_t offset) {
  for (size_t i = 0; i < n; i++) {
    const char *v = *(char *const *)((const char *)sources[i] + offset);
    if (v != NULL && *v != '\0')
      return (*dst = strdup(v)) != NULL ? 0 : -1;
  }
  return 0;
}

int sts_role_merge(const cred_role_t *const *sources, size_t n,
                   cred_role_t *out) {
  memset(out, 0, sizeof(*out));
  int status =
      sts_pick(&out->arn, sources, n, offsetof(cred_role_t, arn)) |
      sts_pick(&out->session_name, sources, n,
               offsetof(cred_role_t, session_name)) |
      sts_pick(&out->external_id, sources, n,
               offsetof(cred_role_t, external_id)) |
      sts_pick(&out->policy, sources, n, offsetof(cred_role_t, policy));
  for (size_t i = 0; i < n && out->duration == 0; i++)
    out->duration = sources[i]->duration;
  if (status != 0)
    cred_role_free(out);
  return status;
}

bool sts_role_any(const cred_role_t *r) {
  return r->arn || r->session_name || r->external_id || r->policy ||
         r->duration != 0;
}

/* Whether every character of s is a letter, a digit or one of extra. */
static bool sts_chars(const char *s, const char *extra) {
  for (; *s; s++)
    if (!ascii_is_alnum((unsigned char)*s) && strchr(extra, *s) == NULL)
      return false;
  return true;
}

/* acs:ram::<digits>:role/<name>, name printable and without spaces. */
static bool sts_valid_arn(const char *arn) {
  static const char prefix[] = "acs:ram::";
  if (strncmp(arn, prefix, sizeof(prefix) - 1) != 0)
    return false;
  const char *p = arn + sizeof(prefix) - 1, *digits = p;
  while (*p >= '0' && *p <= '9')
    p++;
  if (p == digits || strncmp(p, ":role/", 6) != 0 || p[6] == '\0')
    return false;
  for (p += 6; *p; p++)
    if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
      return false;
  return true;
}

int sts_check_role(const cred_role_t *r, char *why, size_t why_size) {
  size_t session = r->session_name ? strlen(r->session_name) : 0;
  size_t external = r->external_id ? strlen(r->external_id) : 0;
  const char *bad =
      r->arn && !sts_valid_arn(r->arn)
          ? "\"RoleArn\" is not of the form acs:ram::<account id>:role/<role name>"
      : r->session_name && (session < 2 || session > 64 ||
                            !sts_chars(r->session_name, ".@-_"))
          ? "\"RoleSessionName\" must be 2 to 64 of A-Z a-z 0-9 . @ - _"
      : r->external_id && (external < 2 || external > 1224 ||
                           !sts_chars(r->external_id, "_+=,.@:/-"))
          ? "\"ExternalId\" must be 2 to 1224 of A-Z a-z 0-9 _ + = , . @ : / -"
      : r->policy && strlen(r->policy) > 2048
          ? "\"Policy\" must be 1 to 2048 characters"
      : r->duration != 0 &&
              (r->duration < STS_MIN_DURATION || r->duration > STS_MAX_DURATION)
          ? "\"DurationSeconds\" must be 900 to 43200"
          : NULL;
  if (bad != NULL)
    snprintf(why, why_size, "%s", bad);
  return bad ? -1 : 0;
}

int sts_check_needs_role(const cred_role_t *configured,
                         const char *sts_endpoint, const char *role_arn,
                         char *why, size_t why_size) {
  const struct {
    const char *option;
    bool given;
  } options[] = {
      {"RoleSessionName", configured->session_name != NULL},
      {"ExternalId", configured->external_id != NULL},
      {"Policy", configured->policy != NULL},
      {"DurationSeconds", configured->duration != 0},
      {"STSEndpoint", sts_endpoint != NULL},
  };
  for (size_t i = 0; role_arn == NULL && i < sizeof(options) / sizeof(*options);
       i++)
    if (options[i].given) {
      snprintf(why, why_size,
               "\"%s\" needs a role to assume: RoleArn, a ram_role_arn "
               "profile or ALIBABA_CLOUD_ROLE_ARN",
               options[i].option);
      return -1;
    }
  return 0;
}

void sts_session_name(char *out, size_t size, time_t now) {
  snprintf(out, size, STS_SESSION_PREFIX "%lld", (long long)now);
}

int sts_params(const cred_role_t *r, params_t *out) {
  int status =
      params_add(out, "RoleArn", r->arn) |
      params_add(out, "RoleSessionName", r->session_name) |
      params_add_long(out, "DurationSeconds",
                      r->duration ? r->duration : STS_DEFAULT_DURATION);
  if (r->policy != NULL)
    status |= params_add(out, "Policy", r->policy);
  if (r->external_id != NULL)
    status |= params_add(out, "ExternalId", r->external_id);
  return status;
}

int sts_endpoint(const char *configured, const char *region, bool vpc,
                 char **out, char *why, size_t why_size) {
  char url[128];
  if (configured != NULL) {
    *out = strdup(configured);
  } else if (region != NULL) {
    if (strlen(region) > 63 || !sts_chars(region, "-")) {
      snprintf(why, why_size,
               "ALIBABA_CLOUD_STS_REGION is not a region id (letters, digits "
               "and '-')");
      return -1;
    }
    snprintf(url, sizeof(url), "https://%s.%s.aliyuncs.com",
             vpc ? "sts-vpc" : "sts", region);
    *out = strdup(url);
  } else {
    *out = strdup(STS_DEFAULT_ENDPOINT);
  }
  if (*out == NULL)
    snprintf(why, why_size, "out of memory");
  return *out ? 0 : -1;
}

enum { STS_ID, STS_SECRET, STS_TOKEN, STS_EXPIRATION, STS_N };
static const char *const sts_names[STS_N] = {"AccessKeyId", "AccessKeySecret",
                                             "SecurityToken", "Expiration"};
static const char *const sts_shown_names[STS_N] = {
    "Credentials.AccessKeyId", "Credentials.AccessKeySecret",
    "Credentials.SecurityToken", "Credentials.Expiration"};

int sts_parse_answer(const char *body, cred_t *out, char *why,
                     size_t why_size) {
  memset(out, 0, sizeof(*out));
  char *value[STS_N];
  int status = cred_json_strings(body, "Credentials", sts_names, STS_N, value,
                                 why, why_size);
  if (status == 0)
    status = cred_from_strings(value, sts_shown_names, out, why, why_size);
  for (int i = 0; i < STS_N; i++)
    cred_wipe_free(value[i]);
  return status;
}

enum { STS_ERR_CODE, STS_ERR_MESSAGE, STS_ERR_REQUEST_ID, STS_ERR_N };

void sts_parse_error(const char *body, sts_error_t *out) {
  static const char *const names[STS_ERR_N] = {"Code", "Message", "RequestId"};
  char *value[STS_ERR_N], why[64];
  memset(out, 0, sizeof(*out));
  if (cred_json_strings(body, NULL, names, STS_ERR_N, value, why,
                        sizeof(why)) != 0)
    return;
  char *message = value[STS_ERR_MESSAGE];
  char *at = message ? strstr(message, "string to sign") : NULL;
  if (at != NULL) {
    if (at - message >= 7 && strncmp(at - 7, "server ", 7) == 0)
      at -= 7;
    while (at > message && at[-1] == ' ')
      at--;
    *at = '\0';
  }
  snprintf(out->code, sizeof(out->code), "%s",
           value[STS_ERR_CODE] ? value[STS_ERR_CODE] : "");
  snprintf(out->message, sizeof(out->message), "%s", message ? message : "");
  snprintf(out->request_id, sizeof(out->request_id), "%s",
           value[STS_ERR_REQUEST_ID] ? value[STS_ERR_REQUEST_ID] : "");
  for (int i = 0; i < STS_ERR_N; i++)
    cred_wipe_free(value[i]);
}
