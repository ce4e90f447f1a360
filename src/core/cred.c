#include "core/cred.h"

#include "core/isotime.h"
#include "core/resp.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <yajl/yajl_tree.h>

static void cred_wipe_free(char *s) {
  if (s != NULL)
    OPENSSL_cleanse(s, strlen(s));
  free(s);
}

void cred_free(cred_t *c) {
  free(c->access_key_id);
  cred_wipe_free(c->access_key_secret);
  cred_wipe_free(c->security_token);
  memset(c, 0, sizeof(*c));
}

void cred_profile_free(cred_profile_t *p) {
  cred_free(&p->cred);
  free(p->role_name);
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
  while (isspace((unsigned char)*s))
    s++;
  size_t len = strlen(s);
  while (len > 0 && isspace((unsigned char)s[len - 1]))
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

static int cred_ini_fill(const cred_ini_keys_t *k, const char *profile,
                         cred_profile_t *out, char *why, size_t why_size) {
  const char *type = k->type ? k->type : "access_key";
  if (strcmp(type, "ecs_ram_role") == 0) {
    out->type = CRED_PROFILE_ECS_RAM_ROLE;
    out->role_name =
        k->role_name && *k->role_name ? strdup(k->role_name) : NULL;
    return 0;
  }
  bool sts = strcmp(type, "sts") == 0;
  if (!sts && strcmp(type, "access_key") != 0) {
    snprintf(why, why_size,
             "profile \"%s\": type \"%s\" is not supported "
             "(access_key, sts, ecs_ram_role are)",
             profile, type);
    return -1;
  }
  const char *missing =
      !k->access_key_id || !*k->access_key_id              ? "access_key_id"
      : !k->access_key_secret || !*k->access_key_secret    ? "access_key_secret"
      : sts && (!k->security_token || !*k->security_token) ? "security_token"
                                                           : NULL;
  if (missing != NULL) {
    snprintf(why, why_size, "profile \"%s\" has no %s", profile, missing);
    return -1;
  }
  out->type = sts ? CRED_PROFILE_STS : CRED_PROFILE_ACCESS_KEY;
  cred_t from = {k->access_key_id, k->access_key_secret,
                 sts ? k->security_token : NULL, 0, 0};
  if (cred_copy(&out->cred, &from) != 0) {
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

static const char *cred_json_string(yajl_val root, const char *name) {
  const char *path[] = {name, NULL};
  yajl_val v = yajl_tree_get(root, path, yajl_t_string);
  return v != NULL && *v->u.string != '\0' ? v->u.string : NULL;
}

static int cred_fill_metadata(yajl_val root, cred_t *out, char *why,
                              size_t why_size) {
  const char *code = cred_json_string(root, "Code");
  if (code == NULL || strcmp(code, "Success") != 0) {
    snprintf(why, why_size, "Code is \"%s\", not \"Success\"",
             code ? code : "(missing)");
    return -1;
  }
  static const char *const fields[] = {"AccessKeyId", "AccessKeySecret",
                                       "SecurityToken", "Expiration"};
  for (size_t i = 0; i < 4; i++)
    if (cred_json_string(root, fields[i]) == NULL) {
      snprintf(why, why_size, "field \"%s\" is missing", fields[i]);
      return -1;
    }
  if (isotime_parse(cred_json_string(root, "Expiration"), &out->expiration)) {
    snprintf(why, why_size, "field \"Expiration\" is not a UTC time");
    return -1;
  }
  cred_t from = {(char *)cred_json_string(root, "AccessKeyId"),
                 (char *)cred_json_string(root, "AccessKeySecret"),
                 (char *)cred_json_string(root, "SecurityToken"),
                 out->expiration, 0};
  if (cred_copy(out, &from) != 0) {
    snprintf(why, why_size, "out of memory");
    return -1;
  }
  return 0;
}

int cred_parse_metadata(const char *body, cred_t *out, char *why,
                        size_t why_size) {
  memset(out, 0, sizeof(*out));
  if (resp_too_deep(body)) { /* yajl_tree_free recurses */
    snprintf(why, why_size, "JSON nested too deeply");
    return -1;
  }
  char errbuf[128] = "";
  yajl_val root = yajl_tree_parse(body, errbuf, sizeof(errbuf));
  if (root == NULL || !YAJL_IS_OBJECT(root)) {
    snprintf(why, why_size, "not a JSON object");
    yajl_tree_free(root);
    return -1;
  }
  int status = cred_fill_metadata(root, out, why, why_size);
  yajl_tree_free(root);
  return status;
}
