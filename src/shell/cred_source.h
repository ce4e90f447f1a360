/* An account's credentials from the one source its configuration names
 * (or the SDKs' default chain), refreshed without a restart: files when
 * they change, ECS role credentials before they expire. With a role to
 * assume (RoleArn, a ram_role_arn profile, ALIBABA_CLOUD_ROLE_ARN), those
 * are the base that signs STS AssumeRole, and the role's credentials are
 * the ones used, refreshed before they expire as well. */
#ifndef DCDN_CRED_SOURCE_H
#define DCDN_CRED_SOURCE_H

#include "core/conf.h"
#include "core/cred.h"

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

typedef struct {
  const conf_account_t *conf;
  conf_cred_source_t source; /* resolved: never ENVIRONMENT after init */
  char *file;                /* the secret or credentials file, if any */
  char *profile;
  char *role; /* RAM role; NULL: discover */
  time_t file_mtime;
  cred_t current;
  bool warned_permissions;
  bool force_refresh; /* the API said the token expired */
  /* AssumeRole: the profile's role, the endpoint, the session name made
   * up when none is given, and the role's credentials. */
  cred_role_t profile_role;
  bool role_changed; /* the credentials file was read again */
  bool assuming;     /* the current credentials are the role's */
  char *sts_endpoint;
  char default_session[64];
  cred_t assumed;
  const char *proxy_userpwd; /* STS's way through the Proxy: the API's */
  char failure[512];         /* why the last cred_source_get gave NULL */
} cred_source_t;

/* Resolves the source and loads the first credentials; proxy_userpwd (the
 * API client's, which outlives creds; NULL: none) authenticates AssumeRole
 * at the account's Proxy. Returns 0, or -1 after logging why (no secret in
 * the line). */
int cred_source_init(cred_source_t *creds, const conf_account_t *conf,
                     const char *proxy_userpwd);
/* Credentials valid now (on the API's clock, as their expiration is
 * written), refreshed first if needed; NULL after logging why (the poll
 * fails and the next interval tries again). */
const cred_t *cred_source_get(cred_source_t *creds, time_t now);
/* Why the last cred_source_get gave NULL, as its error line said it
 * without the account (a refused AssumeRole: that the role could not be
 * assumed, STS's endpoint and its answer); never a secret. */
const char *cred_source_failure(const cred_source_t *creds);
/* An API answer said the token expired: fetch anew before the next call.
 * Returns whether new credentials may come (false for a fixed key: the
 * configuration's or the environment's, with no role to assume). */
bool cred_source_expired(cred_source_t *creds);
void cred_source_free(cred_source_t *creds);

/* Warns once when a file holding a secret is readable by other users. */
void cred_source_check_private(const char *account, const char *path,
                               const char *what);

#endif
