/* Credentials: the pieces that need no I/O. The SDKs' INI credentials
 * file, the ECS metadata service's answer, and when to refresh. */
#ifndef DCDN_CRED_H
#define DCDN_CRED_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* The SDKs refresh role credentials 15 minutes before they expire; short
 * lifetimes refresh half-way through instead. */
#define CRED_REFRESH_AHEAD 900

typedef struct {
  char *access_key_id;
  char *access_key_secret;
  char *security_token; /* NULL unless STS */
  time_t expiration;    /* 0: does not expire */
  time_t obtained;
} cred_t;

typedef enum {
  CRED_PROFILE_ACCESS_KEY, /* type = access_key (the default) */
  CRED_PROFILE_STS,        /* type = sts: with security_token */
  CRED_PROFILE_ECS_RAM_ROLE,
  CRED_PROFILE_RAM_ROLE_ARN /* an access key that assumes a role (STS) */
} cred_profile_type_t;

/* What STS AssumeRole is asked for; NULL (0) members are not given. */
typedef struct {
  char *arn;
  char *session_name;
  char *external_id;
  char *policy;
  int duration; /* seconds */
} cred_role_t;

typedef struct {
  cred_profile_type_t type;
  cred_t cred;      /* access_key, sts, ram_role_arn (the base key) */
  char *role_name;  /* ecs_ram_role; NULL: discover */
  cred_role_t role; /* ram_role_arn: role_arn, role_session_name, policy */
} cred_profile_t;

/* Reads section [profile] of an INI credentials file. Returns 0, or -1
 * with a reason in why that names the profile and key (never a value). */
int cred_parse_ini(const char *text, const char *profile, cred_profile_t *out,
                   char *why, size_t why_size);
/* The metadata service's answer for a role. Returns 0, or -1 with why.
 * Only the fields read are copied, and every copy and every buffer of the
 * JSON parser is wiped before it is freed. */
int cred_parse_metadata(const char *body, cred_t *out, char *why,
                        size_t why_size);
/* The string members names[0..n-1] (n <= CRED_JSON_MAX) of a JSON object:
 * its own (within NULL) or those of its member object within. Read as a
 * stream, so that no tree of copies holds a secret: values[i] gets a copy
 * (free it with cred_wipe_free) or NULL when absent, empty or not a
 * string; the first of duplicate keys counts. Returns 0, or -1 with why
 * when the body is not one JSON object. */
#define CRED_JSON_MAX 8
int cred_json_strings(const char *body, const char *within,
                      const char *const *names, int n, char **values, char *why,
                      size_t why_size);
/* Credentials from the four strings AccessKeyId, AccessKeySecret,
 * SecurityToken and Expiration (named by names, for why), all required.
 * Returns 0, or -1 with why. */
int cred_from_strings(char *const *values, const char *const *names,
                      cred_t *out, char *why, size_t why_size);
void cred_role_free(cred_role_t *r);
/* The first role name of a role listing ("" lines skipped); NULL if none. */
char *cred_first_role(const char *listing);
/* A secret file's content without its trailing newline(s). */
char *cred_secret_from_file_text(const char *text);

/* Whether c is to be replaced at now: none yet, or (when it expires) past
 * CRED_REFRESH_AHEAD before its expiration, or half-way through a shorter
 * lifetime. now is on the clock the expiration is written on, the API's
 * (apiclock_now): obtained is on that clock too. */
bool cred_needs_refresh(const cred_t *c, time_t now);
/* Deep copy; returns 0, or -1 when out of memory. */
int cred_copy(cred_t *dst, const cred_t *src);
/* Frees, wiping the secret and the token first. */
void cred_free(cred_t *c);
void cred_profile_free(cred_profile_t *p);

/* Wiping, with OPENSSL_cleanse (a memset before free is optimised away). */
/* Wipes the string (to its NUL) and frees it; NULL is ignored. */
void cred_wipe_free(char *s);
/* Copies len bytes from src to dst, then wipes them in src. */
void cred_wipe_move(char *dst, char *src, size_t len);
/* realloc for a buffer that may hold a secret: the first used bytes move to
 * a new block of size bytes (>= used) and the old one is wiped and freed.
 * NULL when out of memory, buf left as it was. */
char *cred_wipe_grow(char *buf, size_t used, size_t size);

#endif
