#include "core/cred.h"

#include "core/ascii.h"
#include "core/isotime.h"
#include "core/resp.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <malloc.h>

#include <openssl/crypto.h>
#include <yajl/yajl_parse.h>

void cred_wipe_free(char *s) {
  if (s != NULL)
    OPENSSL_cleanse(s, strlen(s));
  free(s);
}

void cred_wipe_move(char *dst, char *src, size_t len) {
  memcpy(dst, src, len);
  OPENSSL_cleanse(src, len);
}

char *cred_wipe_grow(char *buf, size_t used, size_t size) {
  char *grown = malloc(size);
  if (grown == NULL)
    return NULL;
  if (buf != NULL)
    cred_wipe_move(grown, buf, used);
  free(buf);
  return grown;
}

void cred_free(cred_t *c) {
  free(c->access_key_id);
  cred_wipe_free(c->access_key_secret);
  cred_wipe_free(c->security_token);
  memset(c, 0, sizeof(*c));
}

void cred_role_free(cred_role_t *r) {
  free(r->arn);
  free(r->session_name);
  free(r->external_id);
  free(r->policy);
  memset(r, 0, sizeof(*r));
}

void cred_profile_free(cred_profile_t *p) {
  cred_free(&p->cred);
  free(p->role_name);
  cred_role_free(&p->role);
  memset(p, 0, sizeof(*p));
}

static char *cred_dup(const char *s) { return s ? strdup(s) : NULL; }

int cred_copy(cred_t *dst, const cred_t *src) {
  *dst =
      (cred_t){cred_dup(src->access_key_id), cred_dup(src->access_key_secret),
               cred_dup(src->security_token), src->expiration, src->obtained};
  if ((src->access_key_id && !dst->access_key_id) ||
      (src->access_key_secret && !dst->access_key_secret) ||
      (src->security_token && !dst->security_token)) {
    cred_free(dst);
    return -1;
  }
  return 0;
}

bool cred_needs_refresh(const cred_t *c, time_t now) {
  if (c->access_key_id == NULL)
    return true;
  if (c->expiration == 0)
    return false;
  time_t ahead = CRED_REFRESH_AHEAD;
  if (c->expiration > c->obtained && (c->expiration - c->obtained) / 2 < ahead)
    ahead = (c->expiration - c->obtained) / 2;
  return now >= c->expiration - ahead;
}

static char *cred_trim(char *s) {
  while (ascii_is_space((unsigned char)*s))
    s++;
  size_t len = strlen(s);
  while (len > 0 && ascii_is_space((unsigned char)s[len - 1]))
    s[--len] = '\0';
  return s;
}

char *cred_secret_from_file_text(const char *text) {
  size_t len = strlen(text);
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
    len--;
  return strndup(text, len);
}

char *cred_first_role(const char *listing) {
  char *copy = strdup(listing);
  if (copy == NULL)
    return NULL;
  char *role = NULL, *rest = copy, *line;
  while (role == NULL && (line = strsep(&rest, "\n")) != NULL)
    if (*cred_trim(line) != '\0')
      role = strdup(cred_trim(line));
  free(copy);
  return role;
}

/* The keys of one INI section that matter here. */
typedef struct {
  char *type, *access_key_id, *access_key_secret, *security_token, *role_name;
  char *role_arn, *role_session_name, *policy; /* ram_role_arn */
} cred_ini_keys_t;

static char **cred_ini_slot(cred_ini_keys_t *k, const char *key) {
  static const struct {
    const char *name;
    size_t offset;
  } keys[] = {
      {"type", offsetof(cred_ini_keys_t, type)},
      {"access_key_id", offsetof(cred_ini_keys_t, access_key_id)},
      {"access_key_secret", offsetof(cred_ini_keys_t, access_key_secret)},
      {"security_token", offsetof(cred_ini_keys_t, security_token)},
      {"sts_token", offsetof(cred_ini_keys_t, security_token)},
      {"role_name", offsetof(cred_ini_keys_t, role_name)},
      {"role_arn", offsetof(cred_ini_keys_t, role_arn)},
      {"role_session_name", offsetof(cred_ini_keys_t, role_session_name)},
      {"policy", offsetof(cred_ini_keys_t, policy)},
  };
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    if (strcmp(key, keys[i].name) == 0)
      return (char **)((char *)k + keys[i].offset);
  return NULL;
}

/* Collects section [profile]; returns whether the section was found. */
static bool cred_ini_collect(char *text, const char *profile,
                             cred_ini_keys_t *k) {
  bool in_section = false, found = false;
  char *line;
  while ((line = strsep(&text, "\n")) != NULL) {
    line = cred_trim(line);
    if (*line == '#' || *line == ';' || *line == '\0')
      continue;
    if (*line == '[') {
      char *end = strchr(line, ']');
      if (end != NULL)
        *end = '\0';
      in_section = strcmp(cred_trim(line + 1), profile) == 0;
      found = found || in_section;
      continue;
    }
    char *eq = strchr(line, '=');
    if (!in_section || eq == NULL)
      continue;
    *eq = '\0';
    char **slot = cred_ini_slot(k, cred_trim(line));
    if (slot != NULL)
      *slot = cred_trim(eq + 1);
  }
  return found;
}

static char *cred_ini_dup(const char *value) {
  return value != NULL && *value != '\0' ? strdup(value) : NULL;
}

/* ram_role_arn's keys as the SDKs read them: role_arn, role_session_name
 * and policy (no duration: the SDKs' default). */
static int cred_ini_role(const cred_ini_keys_t *k, cred_profile_t *out) {
  cred_role_t *r = &out->role;
  r->arn = cred_ini_dup(k->role_arn);
  r->session_name = cred_ini_dup(k->role_session_name);
  r->policy = cred_ini_dup(k->policy);
  return (k->role_session_name && *k->role_session_name && !r->session_name) ||
                 (k->policy && *k->policy && !r->policy) || !r->arn
             ? -1
             : 0;
}

static int cred_ini_fill(const cred_ini_keys_t *k, const char *profile,
                         cred_profile_t *out, char *why, size_t why_size) {
  const char *type = k->type ? k->type : "access_key";
  if (strcmp(type, "ecs_ram_role") == 0) {
    out->type = CRED_PROFILE_ECS_RAM_ROLE;
    out->role_name = cred_ini_dup(k->role_name);
    return 0;
  }
  bool sts = strcmp(type, "sts") == 0;
  bool assume = strcmp(type, "ram_role_arn") == 0;
  if (!sts && !assume && strcmp(type, "access_key") != 0) {
    snprintf(why, why_size,
             "profile \"%s\": type \"%s\" is not supported "
             "(access_key, sts, ecs_ram_role, ram_role_arn are)",
             profile, type);
    return -1;
  }
  const char *missing =
      !k->access_key_id || !*k->access_key_id              ? "access_key_id"
      : !k->access_key_secret || !*k->access_key_secret    ? "access_key_secret"
      : sts && (!k->security_token || !*k->security_token) ? "security_token"
      : assume && (!k->role_arn || !*k->role_arn)          ? "role_arn"
                                                           : NULL;
  if (missing != NULL) {
    snprintf(why, why_size, "profile \"%s\" has no %s", profile, missing);
    return -1;
  }
  out->type = sts      ? CRED_PROFILE_STS
              : assume ? CRED_PROFILE_RAM_ROLE_ARN
                       : CRED_PROFILE_ACCESS_KEY;
  cred_t from = {k->access_key_id, k->access_key_secret,
                 sts ? k->security_token : NULL, 0, 0};
  if (cred_copy(&out->cred, &from) != 0 ||
      (assume && cred_ini_role(k, out) != 0)) {
    snprintf(why, why_size, "out of memory");
    return -1;
  }
  return 0;
}

int cred_parse_ini(const char *text, const char *profile, cred_profile_t *out,
                   char *why, size_t why_size) {
  memset(out, 0, sizeof(*out));
  char *copy = strdup(text);
  if (copy == NULL) {
    snprintf(why, why_size, "out of memory");
    return -1;
  }
  cred_ini_keys_t keys = {0};
  int status = -1;
  if (!cred_ini_collect(copy, profile, &keys))
    snprintf(why, why_size, "no profile \"%s\"", profile);
  else
    status = cred_ini_fill(&keys, profile, out, why, why_size);
  OPENSSL_cleanse(copy, strlen(text));
  free(copy);
  return status;
}

/* yajl's own buffers (the lexer's, for strings with escapes) may hold a
 * secret of the answer: its allocator wipes every block it gives back. */
static void *cred_yajl_malloc(void *ctx, size_t size) {
  (void)ctx;
  return malloc(size);
}

static void cred_yajl_free(void *ctx, void *p) {
  (void)ctx;
  if (p != NULL)
    OPENSSL_cleanse(p, malloc_usable_size(p));
  free(p);
}

static void *cred_yajl_realloc(void *ctx, void *p, size_t size) {
  if (p == NULL)
    return malloc(size);
  size_t old = malloc_usable_size(p);
  void *grown = malloc(size);
  if (grown != NULL) {
    memcpy(grown, p, old < size ? old : size);
    cred_yajl_free(ctx, p);
  }
  return grown;
}

/* The answer read as a stream, so that no tree of copies holds the secret:
 * only the wanted values are copied, and wiped after use. */
typedef struct {
  int depth;       /* 1: inside the top-level object */
  int field_depth; /* where the wanted members are: 1, or 2 inside within */
  const char *within;
  bool within_next; /* the last top-level key was within */
  bool inside;      /* in the member object within */
  bool object, too_deep, no_memory;
  const char *const *names;
  int n;
  int pending;              /* the field the last key named, or -1 */
  bool seen[CRED_JSON_MAX]; /* the first of duplicate keys counts */
  char **value;
} cred_meta_t;

static bool cred_meta_here(const cred_meta_t *m) {
  return m->depth == m->field_depth && (m->field_depth == 1 || m->inside);
}

/* Any value; returns whether to go on. */
static int cred_meta_value(cred_meta_t *m, const unsigned char *s, size_t len,
                           bool is_string) {
  if (cred_meta_here(m) && m->pending >= 0 && is_string) {
    m->value[m->pending] = strndup((const char *)s, len);
    m->no_memory = m->value[m->pending] == NULL;
  }
  if (cred_meta_here(m))
    m->pending = -1;
  if (m->depth == 1)
    m->within_next = false;
  return !m->no_memory;
}

static int cred_meta_null(void *ctx) {
  return cred_meta_value(ctx, NULL, 0, false);
}

static int cred_meta_boolean(void *ctx, int b) {
  (void)b;
  return cred_meta_value(ctx, NULL, 0, false);
}

static int cred_meta_number(void *ctx, const char *s, size_t len) {
  (void)s, (void)len;
  return cred_meta_value(ctx, NULL, 0, false);
}

static int cred_meta_string(void *ctx, const unsigned char *s, size_t len) {
  return cred_meta_value(ctx, s, len, true);
}

static int cred_meta_open(cred_meta_t *m, bool object) {
  if (m->depth == 0)
    m->object = object;
  bool enter = m->depth == 1 && m->within_next && object;
  cred_meta_value(m, NULL, 0, false);
  /* As deep as the API's answers may nest, and no deeper. */
  m->too_deep = ++m->depth > RESP_MAX_DEPTH;
  if (enter)
    m->inside = true;
  return !m->too_deep;
}

static int cred_meta_start_map(void *ctx) { return cred_meta_open(ctx, true); }

static int cred_meta_start_array(void *ctx) {
  return cred_meta_open(ctx, false);
}

static int cred_meta_close(void *ctx) {
  cred_meta_t *m = ctx;
  if (m->depth-- == 2)
    m->inside = false;
  return 1;
}

static int cred_meta_key(void *ctx, const unsigned char *key, size_t len) {
  cred_meta_t *m = ctx;
  if (m->depth == 1 && m->within != NULL)
    m->within_next = strlen(m->within) == len &&
                     memcmp(m->within, key, len) == 0 && !m->inside;
  if (!cred_meta_here(m))
    return 1;
  m->pending = -1;
  for (int i = 0; i < m->n; i++)
    if (strlen(m->names[i]) == len && memcmp(m->names[i], key, len) == 0 &&
        !m->seen[i]) {
      m->seen[i] = true;
      m->pending = i;
    }
  return 1;
}

static const yajl_callbacks cred_meta_callbacks = {cred_meta_null,
                                                   cred_meta_boolean,
                                                   NULL,
                                                   NULL,
                                                   cred_meta_number,
                                                   cred_meta_string,
                                                   cred_meta_start_map,
                                                   cred_meta_key,
                                                   cred_meta_close,
                                                   cred_meta_start_array,
                                                   cred_meta_close};

/* Returns whether the body is one JSON object (read into m). */
static bool cred_meta_parse(const char *body, cred_meta_t *m) {
  yajl_alloc_funcs wiping = {cred_yajl_malloc, cred_yajl_realloc,
                             cred_yajl_free, NULL};
  yajl_handle h = yajl_alloc(&cred_meta_callbacks, &wiping, m);
  if (h == NULL) {
    m->no_memory = true;
    return false;
  }
  yajl_config(h, yajl_allow_comments, 1); /* as yajl_tree_parse does */
  bool ok = yajl_parse(h, (const unsigned char *)body, strlen(body)) ==
                yajl_status_ok &&
            yajl_complete_parse(h) == yajl_status_ok;
  yajl_free(h);
  return ok && m->object;
}

int cred_json_strings(const char *body, const char *within,
                      const char *const *names, int n, char **values, char *why,
                      size_t why_size) {
  cred_meta_t m = {.field_depth = within ? 2 : 1,
                   .within = within,
                   .names = names,
                   .n = n < CRED_JSON_MAX ? n : CRED_JSON_MAX,
                   .pending = -1,
                   .value = values};
  for (int i = 0; i < n; i++)
    values[i] = NULL;
  bool ok = cred_meta_parse(body, &m);
  for (int i = 0; i < n; i++)
    if (values[i] != NULL && (!ok || values[i][0] == '\0')) {
      cred_wipe_free(values[i]);
      values[i] = NULL;
    }
  if (!ok)
    snprintf(why, why_size, "%s",
             m.too_deep    ? "JSON nested too deeply"
             : m.no_memory ? "out of memory"
                           : "not a JSON object");
  return ok ? 0 : -1;
}

int cred_from_strings(char *const *values, const char *const *names,
                      cred_t *out, char *why, size_t why_size) {
  for (int i = 0; i < 4; i++)
    if (values[i] == NULL) {
      snprintf(why, why_size, "field \"%s\" is missing", names[i]);
      return -1;
    }
  time_t expiration;
  if (isotime_parse(values[3], &expiration)) {
    snprintf(why, why_size, "field \"%s\" is not a UTC time", names[3]);
    return -1;
  }
  cred_t from = {values[0], values[1], values[2], expiration, 0};
  if (cred_copy(out, &from) != 0) {
    snprintf(why, why_size, "out of memory");
    return -1;
  }
  return 0;
}

/* The metadata answer's fields, all top-level strings. */
enum { META_ID, META_SECRET, META_TOKEN, META_EXPIRATION, META_CODE, META_N };
static const char *const cred_meta_names[META_N] = {
    "AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration", "Code"};

int cred_parse_metadata(const char *body, cred_t *out, char *why,
                        size_t why_size) {
  memset(out, 0, sizeof(*out));
  char *value[META_N];
  int status = cred_json_strings(body, NULL, cred_meta_names, META_N, value,
                                 why, why_size);
  const char *code = value[META_CODE];
  if (status == 0 && (code == NULL || strcmp(code, "Success") != 0)) {
    snprintf(why, why_size, "Code is \"%s\", not \"Success\"",
             code ? code : "(missing)");
    status = -1;
  }
  if (status == 0)
    status = cred_from_strings(value, cred_meta_names, out, why, why_size);
  for (int i = 0; i < META_N; i++)
    cred_wipe_free(value[i]);
  return status;
}
