#include "dcdn_config.h"

#include "collectd.h"

#include "shell/cred_source.h"

#include "core/ascii.h"
#include "core/isotime.h"

#include "core/sts.h"
#include "shell/cred_metadata.h"
#include "shell/cred_sts.h"
#include "shell/file.h"
#include "shell/log.h"
#include "shell/stop.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CRED_SOURCE_MAX_FILE 65536
#define CRED_SOURCE_DEFAULT_FILE "/.alibabacloud/credentials"

void cred_source_check_private(const char *account, const char *path,
                               const char *what) {
  struct stat st;
  if (path == NULL || stat(path, &st) != 0 ||
      !(st.st_mode & (S_IRGRP | S_IROTH)))
    return;
  DCDN_WARNING("account \"%s\": %s %s is readable by other users "
               "(mode %04o): run chmod 600 %s",
               account, what, path, (unsigned)(st.st_mode & 07777), path);
}

/* Why the account has no credentials, kept for its health notification
 * (cred_source_failure); cut to fit. */
__attribute__((format(printf, 2, 3))) static void
cred_source_note(cred_source_t *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->failure, sizeof(c->failure), fmt, ap);
  va_end(ap);
}

/* The same, and one error line that says it. */
#define cred_source_error(c, ...)                                              \
  do {                                                                         \
    cred_source_note((c), __VA_ARGS__);                                        \
    DCDN_ERROR("account \"%s\": %s", (c)->conf->name, (c)->failure);           \
  } while (0)

/* The configuration file collectd was started with (-C), else its default:
 * where an inline AccessKeySecret lives. */
static void cred_source_config_path(char *out, size_t size) {
  snprintf(out, size, "/etc/collectd/collectd.conf");
  FILE *f = fopen("/proc/self/cmdline", "r");
  if (f == NULL)
    return;
  char args[4096];
  size_t n = fread(args, 1, sizeof(args) - 1, f);
  fclose(f);
  args[n] = '\0';
  for (size_t i = 0; i < n; i += strlen(args + i) + 1)
    if (strcmp(args + i, "-C") == 0 && i + 3 < n)
      snprintf(out, size, "%s", args + i + 3);
}

static const char *cred_source_env(const char *name) {
  const char *v = getenv(name);
  return v != NULL && *v != '\0' ? v : NULL;
}

static char *cred_source_default_file(void) {
  const char *file = cred_source_env("ALIBABA_CLOUD_CREDENTIALS_FILE");
  if (file != NULL)
    return strdup(file);
  const char *home = cred_source_env("HOME");
  char path[PATH_MAX];
  snprintf(path, sizeof(path), "%s" CRED_SOURCE_DEFAULT_FILE,
           home ? home : "/root");
  return strdup(path);
}

/* The SDKs' chain: environment variables, the credentials file, then the
 * ECS role named by ALIBABA_CLOUD_ECS_METADATA. */
static int cred_source_resolve_environment(cred_source_t *c) {
  const char *id = cred_source_env("ALIBABA_CLOUD_ACCESS_KEY_ID");
  const char *secret = cred_source_env("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
  if (id != NULL && secret != NULL) {
    cred_t from = {(char *)id, (char *)secret,
                   (char *)cred_source_env("ALIBABA_CLOUD_SECURITY_TOKEN"), 0,
                   0};
    c->source = CONF_CRED_STATIC;
    return cred_copy(&c->current, &from);
  }
  c->file = cred_source_default_file();
  if (c->file != NULL && access(c->file, R_OK) == 0) {
    c->source = CONF_CRED_PROFILE;
    return 0;
  }
  const char *role = cred_source_env("ALIBABA_CLOUD_ECS_METADATA");
  if (role != NULL) {
    c->source = CONF_CRED_RAM_ROLE;
    c->role = strdup(role);
    return 0;
  }
  cred_source_error(
      c,
      "no credentials configured, none in "
      "ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, "
      "no credentials file %s, and no ALIBABA_CLOUD_ECS_METADATA",
      c->file ? c->file : "(none)");
  return -1;
}

static void cred_source_replace(cred_source_t *c, cred_t *fresh) {
  cred_free(&c->current);
  c->current = *fresh;
  memset(fresh, 0, sizeof(*fresh));
}

static int cred_source_load_secret_file(cred_source_t *c, char *text) {
  char *secret = cred_secret_from_file_text(text);
  cred_t fresh = {
      strdup(c->conf->access_key_id), secret,
      c->conf->security_token ? strdup(c->conf->security_token) : NULL, 0, 0};
  bool ok = fresh.access_key_id && secret && *secret &&
            (!c->conf->security_token || fresh.security_token);
  if (ok)
    cred_source_replace(c, &fresh);
  else
    cred_source_error(c, "AccessKeySecretFile %s is empty", c->file);
  cred_free(&fresh);
  return ok ? 0 : -1;
}

static int cred_source_load_profile(cred_source_t *c, char *text) {
  cred_profile_t profile;
  char why[256];
  if (cred_parse_ini(text, c->profile, &profile, why, sizeof(why)) != 0) {
    cred_source_error(c, "credentials file %s: %s", c->file, why);
    cred_profile_free(&profile);
    return -1;
  }
  if (profile.type == CRED_PROFILE_ECS_RAM_ROLE) {
    c->source = CONF_CRED_RAM_ROLE;
    free(c->role);
    c->role = profile.role_name;
    profile.role_name = NULL;
  } else {
    cred_source_replace(c, &profile.cred);
  }
  /* A ram_role_arn profile's key assumes its role: anew, as the file (its
   * key, its role) changed. */
  cred_role_free(&c->profile_role);
  c->profile_role = profile.role;
  memset(&profile.role, 0, sizeof(profile.role));
  c->role_changed = true;
  cred_profile_free(&profile);
  return 0;
}

/* What the file is called in the configuration, for log lines. */
static const char *cred_source_file_what(const cred_source_t *c) {
  return c->source == CONF_CRED_SECRET_FILE ? "AccessKeySecretFile"
                                            : "credentials file";
}

/* Reads the secret or credentials file again when it changed. */
static int cred_source_reload_file(cred_source_t *c) {
  struct stat st;
  if (stat(c->file, &st) != 0) {
    cred_source_error(c, "%s %s: %s", cred_source_file_what(c), c->file,
                      strerror(errno));
    return c->current.access_key_id ? 0 : -1;
  }
  if (st.st_mtime == c->file_mtime && c->current.access_key_id != NULL)
    return 0;
  char why[256];
  char *text = file_read_text(c->file, CRED_SOURCE_MAX_FILE, why, sizeof(why));
  if (text == NULL) {
    cred_source_error(c, "%s %s: %s", cred_source_file_what(c), c->file, why);
    return c->current.access_key_id ? 0 : -1;
  }
  if (!c->warned_permissions) {
    cred_source_check_private(c->conf->name, c->file, cred_source_file_what(c));
    c->warned_permissions = true;
  }
  int status = c->source == CONF_CRED_SECRET_FILE
                   ? cred_source_load_secret_file(c, text)
                   : cred_source_load_profile(c, text);
  file_text_free(text);
  if (status == 0)
    c->file_mtime = st.st_mtime;
  return status;
}

static int cred_source_fetch_role(cred_source_t *c, time_t now) {
  char why[512], *found = NULL;
  cred_t fresh;
  int status = cred_metadata_fetch(c->conf->metadata_endpoint, c->role, &fresh,
                                   &found, why, sizeof(why));
  if (status != 0) {
    cred_source_error(c,
                      "RAM role credentials from the ECS metadata service "
                      "failed: %s",
                      why);
    free(found);
    return -1;
  }
  if (found != NULL && c->role == NULL) {
    DCDN_INFO("account \"%s\": using the instance's RAM role \"%s\"",
              c->conf->name, found);
    c->role = found;
  } else {
    free(found);
  }
  fresh.obtained = now;
  cred_source_replace(c, &fresh);
  c->force_refresh = false;
  return 0;
}

static int cred_source_role(cred_source_t *c, cred_role_t *role);

/* AssumeRole's endpoint and made-up session name; a role wrongly given is
 * an error at start. */
static int cred_source_init_role(cred_source_t *c) {
  char why[128];
  const char *vpc = cred_source_env("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED");
  if (sts_endpoint(c->conf->sts_endpoint,
                   cred_source_env("ALIBABA_CLOUD_STS_REGION"),
                   vpc != NULL && ascii_strcasecmp(vpc, "true") == 0,
                   &c->sts_endpoint, why, sizeof(why)) != 0) {
    cred_source_error(c, "%s", why);
    return -1;
  }
  sts_session_name(c->default_session, sizeof(c->default_session), time(NULL));
  cred_role_t role;
  int wanted = cred_source_role(c, &role);
  if (wanted > 0)
    cred_role_free(&role);
  return wanted < 0 ? -1 : 0;
}

int cred_source_init(cred_source_t *c, const conf_account_t *conf,
                     const char *proxy_userpwd) {
  memset(c, 0, sizeof(*c));
  c->conf = conf;
  c->proxy_userpwd = proxy_userpwd;
  c->source = conf->cred_source;
  c->profile = strdup(conf->profile ? conf->profile
                      : cred_source_env("ALIBABA_CLOUD_PROFILE")
                          ? cred_source_env("ALIBABA_CLOUD_PROFILE")
                          : "default");
  int status = 0;
  switch (c->source) {
  case CONF_CRED_ENVIRONMENT:
    status = cred_source_resolve_environment(c);
    break;
  case CONF_CRED_STATIC: {
    cred_t from = {conf->access_key_id, conf->access_key_secret,
                   conf->security_token, 0, 0};
    char path[PATH_MAX];
    cred_source_config_path(path, sizeof(path));
    cred_source_check_private(conf->name, path,
                              "the configuration file holding AccessKeySecret");
    status = cred_copy(&c->current, &from);
    break;
  }
  case CONF_CRED_SECRET_FILE:
    c->file = strdup(conf->secret_file);
    break;
  case CONF_CRED_PROFILE:
    c->file = conf->credentials_file ? strdup(conf->credentials_file)
                                     : cred_source_default_file();
    break;
  case CONF_CRED_RAM_ROLE:
    c->role = conf->ram_role && *conf->ram_role ? strdup(conf->ram_role) : NULL;
    break;
  }
  /* Files are read now, so that a missing one is an error at start. */
  if (status == 0 && c->file != NULL && c->source != CONF_CRED_RAM_ROLE)
    status = cred_source_reload_file(c);
  return status == 0 ? cred_source_init_role(c) : status;
}

/* The base credentials: the source's own. forced: the API said they
 * expired (a role's from the metadata service are fetched anew). */
static const cred_t *cred_source_base(cred_source_t *c, time_t now,
                                      bool forced) {
  if (c->file != NULL &&
      (c->source == CONF_CRED_SECRET_FILE || c->source == CONF_CRED_PROFILE))
    if (cred_source_reload_file(c) != 0)
      return NULL;
  if (c->source == CONF_CRED_RAM_ROLE &&
      (forced || cred_needs_refresh(&c->current, now)) &&
      cred_source_fetch_role(c, now) != 0) {
    /* Still valid: use it while the service is away. */
    bool usable = c->current.access_key_id != NULL && !forced &&
                  now < c->current.expiration;
    c->force_refresh = forced;
    return usable ? &c->current : NULL;
  }
  return c->current.access_key_id != NULL ? &c->current : NULL;
}

/* The role to assume, if any (1: role filled, the caller frees it; 0: none,
 * role empty; -1: an error, logged): each parameter from
 * the configuration, else the ram_role_arn profile, else the SDKs'
 * environment variables; the role ARN of the environment only for an
 * account on the default chain, and only when it is not OIDC's. -1 after
 * logging why. */
static int cred_source_role(cred_source_t *c, cred_role_t *role) {
  const conf_account_t *conf = c->conf;
  bool chain = conf->cred_source == CONF_CRED_ENVIRONMENT &&
               cred_source_env("ALIBABA_CLOUD_OIDC_PROVIDER_ARN") == NULL;
  cred_role_t env = {chain ? (char *)cred_source_env("ALIBABA_CLOUD_ROLE_ARN")
                           : NULL,
                     (char *)cred_source_env("ALIBABA_CLOUD_ROLE_SESSION_NAME"),
                     NULL, NULL, 0};
  cred_role_t made_up = {.session_name = c->default_session};
  const cred_role_t *sources[] = {&conf->role, &c->profile_role, &env,
                                  &made_up};
  char why[160];
  if (sts_role_merge(sources, sizeof(sources) / sizeof(sources[0]), role)) {
    cred_source_error(c, "out of memory");
    return -1;
  }
  if (sts_check_needs_role(&conf->role, conf->sts_endpoint, role->arn, why,
                           sizeof(why)) == 0 &&
      sts_check_role(role, why, sizeof(why)) == 0) {
    if (role->arn != NULL)
      return 1;
    cred_role_free(role); /* the made-up session name, for nothing */
    return 0;
  }
  cred_source_error(c, "AssumeRole: %s", why);
  cred_role_free(role);
  return -1;
}

/* The role's credentials, asked for anew before they expire, when the API
 * said they expired, or when the credentials file changed. */
static const cred_t *cred_source_assumed(cred_source_t *c,
                                         const cred_role_t *role,
                                         const cred_t *base, time_t now,
                                         bool expired) {
  if (!c->role_changed && !expired && !cred_needs_refresh(&c->assumed, now))
    return &c->assumed;
  char why[1024], until[ISOTIME_LEN];
  cred_t fresh;
  if (cred_sts_assume(c->conf, c->proxy_userpwd, c->sts_endpoint, role, base,
                      &fresh, why, sizeof(why)) != 0) {
    if (!stop_requested()) /* given up for the shutdown: not an error */
      DCDN_ERROR("account \"%s\": AssumeRole of role %s at %s failed: %s",
                 c->conf->name, role->arn, c->sts_endpoint, why);
    /* The health notification's text (cut to 255 bytes): STS's Code
     * before anything long (the role is in the line above). */
    cred_source_note(c, "the role could not be assumed at STS %s: %s",
                     c->sts_endpoint, why);
    c->force_refresh = expired;
    bool usable = c->assumed.access_key_id != NULL && !expired &&
                  !c->role_changed && now < c->assumed.expiration;
    return usable ? &c->assumed : NULL;
  }
  fresh.obtained = now;
  cred_free(&c->assumed);
  c->assumed = fresh;
  c->role_changed = false;
  isotime_format(fresh.expiration, until);
  DCDN_INFO("account \"%s\": assumed role %s (session %s) until %s",
            c->conf->name, role->arn, role->session_name, until);
  return &c->assumed;
}

static const cred_t *cred_source_current(cred_source_t *c, time_t now) {
  bool expired = c->force_refresh;
  c->force_refresh = false;
  /* An expired token is the role's when a role is assumed. */
  const cred_t *base = cred_source_base(c, now, expired && !c->assuming);
  cred_role_t role;
  int wanted = base != NULL ? cred_source_role(c, &role) : -1;
  c->assuming = wanted > 0;
  if (wanted <= 0)
    return wanted == 0 ? base : NULL;
  const cred_t *assumed = cred_source_assumed(c, &role, base, now, expired);
  cred_role_free(&role);
  return assumed;
}

const cred_t *cred_source_get(cred_source_t *c, time_t now) {
  c->failure[0] = '\0';
  const cred_t *cred = cred_source_current(c, now);
  if (cred == NULL && c->failure[0] == '\0')
    snprintf(c->failure, sizeof(c->failure), "no valid credentials");
  return cred;
}

const char *cred_source_failure(const cred_source_t *c) { return c->failure; }

bool cred_source_expired(cred_source_t *c) {
  c->force_refresh = true;
  /* A key of the configuration or the environment is what it is. */
  return c->source != CONF_CRED_STATIC || c->assuming;
}

void cred_source_free(cred_source_t *c) {
  cred_free(&c->current);
  cred_free(&c->assumed);
  cred_role_free(&c->profile_role);
  free(c->sts_endpoint);
  free(c->file);
  free(c->profile);
  free(c->role);
  memset(c, 0, sizeof(*c));
}
