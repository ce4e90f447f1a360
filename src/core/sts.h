/* STS AssumeRole (the SDKs' ram_role_arn credentials): which role, with
 * what parameters, where, and what the answer says. Pure: the shell
 * (cred_sts.c) signs with the base credentials and sends. */
#ifndef DCDN_STS_H
#define DCDN_STS_H

#include "core/cred.h"
#include "core/params.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define STS_DEFAULT_ENDPOINT "https://sts.aliyuncs.com"
#define STS_API_VERSION "2015-04-01"
#define STS_ACTION "AssumeRole"
#define STS_DEFAULT_DURATION 3600 /* as the SDKs ask */
#define STS_MIN_DURATION 900
#define STS_MAX_DURATION 43200 /* the longest MaxSessionDuration of a role */
#define STS_SESSION_PREFIX "collectd-dcdn-"

/* Each member from the first source that has it (sources[0] wins), copied
 * into out. Returns 0, or -1 when out of memory. */
int sts_role_merge(const cred_role_t *const *sources, size_t n,
                   cred_role_t *out);
/* Whether any member is set (a role is asked for, or half of one). */
bool sts_role_any(const cred_role_t *r);
/* The API's rules for each parameter given: RoleArn
 * acs:ram::<account>:role/<name>,
 * RoleSessionName 2 to 64 of A-Z a-z 0-9 . @ - _, ExternalId 2 to 1224 of
 * A-Z a-z 0-9 _ + = , . @ : / -, Policy 1 to 2048 characters, DurationSeconds
 * (0: unset) 900 to 43200. Returns 0, or -1 with why naming the parameter
 * (never its value, which may be long or private). */
int sts_check_role(const cred_role_t *r, char *why, size_t why_size);
/* The options that mean nothing without a role to assume: the
 * configuration's RoleSessionName, ExternalId, Policy and DurationSeconds
 * (configured, 0 or NULL: not given) and STSEndpoint (sts_endpoint). With
 * no role_arn from any source (RoleArn, a ram_role_arn profile,
 * ALIBABA_CLOUD_ROLE_ARN), the first one given is an error: -1 with why
 * naming it. Else 0. */
int sts_check_needs_role(const cred_role_t *configured,
                         const char *sts_endpoint, const char *role_arn,
                         char *why, size_t why_size);
/* The session name the SDKs make up when none is given, ours:
 * collectd-dcdn-<epoch seconds>. */
void sts_session_name(char *out, size_t size, time_t now);
/* AssumeRole's own parameters (RoleArn, RoleSessionName, DurationSeconds,
 * and Policy, ExternalId when set), for request_build. r has passed
 * sts_check_role and has a session name. Returns 0, or -1 (memory). */
int sts_params(const cred_role_t *r, params_t *out);
/* The STS endpoint: the configured one, else as the SDKs choose by region
 * (https://sts.<region>.aliyuncs.com, sts-vpc.<region> when vpc), else the
 * public one. *out is malloc'ed. Returns 0, or -1 with why (a region that
 * is no host name label). */
int sts_endpoint(const char *configured, const char *region, bool vpc,
                 char **out, char *why, size_t why_size);
/* An AssumeRole answer: Credentials.{AccessKeyId, AccessKeySecret,
 * SecurityToken, Expiration}. Returns 0, or -1 with why (never a value). */
int sts_parse_answer(const char *body, cred_t *out, char *why, size_t why_size);

/* What an error answer says; each member "" when absent. */
typedef struct {
  char code[128];
  char request_id[128];
  /* Cut before the service's own string-to-sign, which a
   * SignatureDoesNotMatch message repeats: it holds the caller's
   * SecurityToken. */
  char message[512];
} sts_error_t;

void sts_parse_error(const char *body, sts_error_t *out);

#endif
