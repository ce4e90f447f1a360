#include "core/statefile.h"

#include "core/ascii.h"
#include "core/grow.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Owner text is one line of printable ASCII: anything else becomes '?',
 * so that a configured path can neither break the line nor forge one. */
static void statefile_owner_text(char *out, const char *a, const char *b) {
  snprintf(out, STATEFILE_OWNER_LEN, "%s%s", a, b ? b : "");
  for (char *p = out; *p; p++)
    if (*p < 0x20 || *p > 0x7e)
      *p = '?';
}

void statefile_owner(const conf_account_t *c, statefile_owner_t *out) {
  memset(out, 0, sizeof(*out));
  statefile_owner_text(out->account, c->name, NULL);
  /* The product's tasks are its own: "cdn https://...". DCDN's line is
   * the endpoint alone, as the files of earlier versions have it. */
  char product[16] = "";
  if (c->product != PRODUCT_DCDN)
    snprintf(product, sizeof(product), "%s ", products[c->product].name);
  statefile_owner_text(out->endpoint, product, c->endpoint);
  switch (c->cred_source) {
  case CONF_CRED_STATIC:
  case CONF_CRED_SECRET_FILE:
    statefile_owner_text(out->credential, "key ", c->access_key_id);
    break;
  case CONF_CRED_PROFILE:
    statefile_owner_text(out->credential, "profile ",
                         c->profile ? c->profile : "(default)");
    break;
  case CONF_CRED_RAM_ROLE:
    statefile_owner_text(out->credential, "role ",
                         c->ram_role && *c->ram_role ? c->ram_role
                                                     : "(discovered)");
    break;
  case CONF_CRED_ENVIRONMENT:
    statefile_owner_text(out->credential, "environment", NULL);
    break;
  }
  /* A role may be another Alibaba Cloud account's: its tasks are not the
   * base key's history. */
  if (c->role.arn != NULL) {
    char as[STATEFILE_OWNER_LEN];
    snprintf(as, sizeof(as), "%.240s as ", out->credential);
    statefile_owner_text(out->credential, as, c->role.arn);
  }
}

bool statefile_is_leftover(const char *name, const char *base) {
  size_t len = strlen(base);
  if (strncmp(name, base, len) != 0 || name[len] != '.')
    return false;
  const char *rest = name + len + 1;
  for (size_t i = 0; i < 6; i++)
    if (!ascii_is_alnum((unsigned char)rest[i]))
      return false;
  return rest[6] == '\0';
}

/* ---- reading ---- */

typedef struct {
  statefile_state_t *st;
  const statefile_owner_t *owner;
  char *why;
  size_t why_size;
  long line_no;
  size_t domain_cap;
} statefile_parser_t;

__attribute__((format(printf, 2, 3))) static int
statefile_fail(statefile_parser_t *p, const char *fmt, ...) {
  char reason[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof(reason), fmt, ap);
  va_end(ap);
  snprintf(p->why, p->why_size, "line %ld: %s", p->line_no, reason);
  return -1;
}

/* Exactly n fields one space apart, each 1..19 digits (so that each fits
 * a uint64_t), into out. sscanf alone would read "-1" as a huge unsigned
 * number, wrap a number too large for its field and ignore whatever
 * follows. */
static bool statefile_numbers(const char *args, int n, uint64_t *out) {
  for (int i = 0; i < n; i++) {
    if (i > 0 && *args++ != ' ')
      return false;
    size_t digits = strspn(args, "0123456789");
    if (digits == 0 || digits > 19)
      return false;
    out[i] = strtoull(args, NULL, 10);
    args += digits;
  }
  return *args == '\0';
}

/* A name the configuration would take: a host name, as a task's path
 * would give it. */
static bool statefile_valid_name(const char *name) {
  char host[CONF_MAX_DOMAIN_LEN + 1];
  return task_domain_of_path(name, host, sizeof(host)) == 0 &&
         strcmp(host, name) == 0 && conf_valid_domain_name(name);
}

static int statefile_domain(statefile_parser_t *p, const char *args) {
  const char *name = strchr(args, ' ');
  char number[24];
  uint64_t n;
  size_t len = name ? (size_t)(name - args) : 0;
  if (len == 0 || len >= sizeof(number))
    return statefile_fail(p, "bad domain line");
  memcpy(number, args, len);
  number[len] = '\0';
  name++;
  if (!statefile_numbers(number, 1, &n) || n != p->st->domain_count ||
      strlen(name) > CONF_MAX_DOMAIN_LEN || !statefile_valid_name(name))
    return statefile_fail(p, "bad domain line");
  statefile_state_t *st = p->st;
  if (grow_for_one((void **)&st->domains, &p->domain_cap, st->domain_count,
                   sizeof(*st->domains)) != 0)
    return statefile_fail(p, "out of memory");
  statefile_domain_t *d = &st->domains[st->domain_count];
  memset(d, 0, sizeof(*d));
  if ((d->name = strdup(name)) == NULL)
    return statefile_fail(p, "out of memory");
  st->domain_count++;
  return 0;
}

/* The declared domain v[0] and the type v[1] in range. */
static statefile_domain_t *statefile_stream_of(statefile_parser_t *p,
                                               const uint64_t *v) {
  if (v[1] >= TASK_TYPE_COUNT)
    return NULL;
  if (v[0] >= p->st->domain_count) {
    statefile_fail(p, "domain %" PRIu64 " was not declared", v[0]);
    return NULL;
  }
  return &p->st->domains[v[0]];
}

/* Coverage from..until: a real range of times. */
static int statefile_coverage(statefile_parser_t *p, const uint64_t *v,
                              plan_cursor_t *c) {
  if (v[0] > v[1] || v[1] == 0 || v[1] > INT64_MAX)
    return statefile_fail(p, "bad coverage");
  c->covered_from = (time_t)v[0];
  c->covered_until = (time_t)v[1];
  return 0;
}

static int statefile_stream(statefile_parser_t *p, const char *args) {
  uint64_t v[4];
  statefile_domain_t *d =
      statefile_numbers(args, 4, v) ? statefile_stream_of(p, v) : NULL;
  if (d == NULL)
    return p->why[0] ? -1 : statefile_fail(p, "bad stream line");
  return statefile_coverage(p, v + 2, &d->streams[v[1]]);
}

static int statefile_wildcard(statefile_parser_t *p, const char *args) {
  uint64_t v[3];
  if (!statefile_numbers(args, 3, v) || v[0] >= TASK_TYPE_COUNT)
    return statefile_fail(p, "bad wildcard line");
  return statefile_coverage(p, v + 1, &p->st->wildcard[v[0]]);
}

static int statefile_lifetime(statefile_parser_t *p, const char *args) {
  uint64_t v[4];
  statefile_domain_t *d =
      statefile_numbers(args, 4, v) ? statefile_stream_of(p, v) : NULL;
  if (d == NULL)
    return p->why[0] ? -1 : statefile_fail(p, "bad ledger line");
  d->completed[v[1]] = v[2];
  d->failed[v[1]] = v[3];
  return 0;
}

static int statefile_counted(statefile_parser_t *p, const char *args) {
  uint64_t v[3];
  statefile_domain_t *d =
      statefile_numbers(args, 3, v) ? statefile_stream_of(p, v) : NULL;
  if (d == NULL || v[2] == 0 || v[2] > INT64_MAX)
    return p->why[0] ? -1 : statefile_fail(p, "bad counted line");
  d->streams[v[1]].counted_from = (time_t)v[2];
  return 0;
}

static int statefile_task(statefile_parser_t *p, const char *args) {
  /* id created domain type status progress flags */
  uint64_t v[7];
  if (!statefile_numbers(args, 7, v) || v[0] == 0 || v[1] > INT64_MAX ||
      v[3] >= TASK_TYPE_COUNT || v[4] >= TASK_STATUS_COUNT || v[5] > 100 ||
      v[6] > 0xff)
    return statefile_fail(p, "bad task line");
  if (v[2] >= p->st->domain_count)
    return statefile_fail(p, "bad task domain");
  tracked_task_t t = {v[0],          (int64_t)v[1], (uint32_t)v[2],
                      (uint8_t)v[3], (uint8_t)v[4], (uint8_t)v[5],
                      (uint8_t)v[6]};
  bool is_new;
  if (tasktable_put(&p->st->tasks, &t, &is_new) != 0)
    return statefile_fail(p, "out of memory");
  return 0;
}

static int statefile_scalar(statefile_parser_t *p, const char *key,
                            const char *args) {
  statefile_state_t *st = p->st;
  if (strcmp(key, "mode") == 0 &&
      (strcmp(args, "account") == 0 || strcmp(args, "domain") == 0))
    st->domain_mode = strcmp(args, "domain") == 0;
  else if (strcmp(key, "health") == 0 &&
           (strcmp(args, "ok") == 0 || strcmp(args, "failed") == 0))
    st->health_failed = strcmp(args, "failed") == 0;
  else
    return statefile_fail(p, "bad %s line", key);
  return 0;
}

/* One line's reader, by its first word. */
typedef struct {
  const char *key;
  int (*read)(statefile_parser_t *p, const char *args);
} statefile_line_kind_t;

static const statefile_line_kind_t statefile_lines[] = {
    {"task", statefile_task},         {"domain", statefile_domain},
    {"stream", statefile_stream},     {"ledger", statefile_lifetime},
    {"wildcard", statefile_wildcard}, {"counted", statefile_counted},
};

static int statefile_line(statefile_parser_t *p, char *line) {
  char *args = strchr(line, ' ');
  if (args == NULL)
    return statefile_fail(p, "no value");
  *args++ = '\0';
  for (size_t i = 0; i < sizeof(statefile_lines) / sizeof(statefile_lines[0]);
       i++)
    if (strcmp(line, statefile_lines[i].key) == 0)
      return statefile_lines[i].read(p, args);
  return statefile_scalar(p, line, args);
}

/* The file must end with "end <bytes before this line>\n". */
static int statefile_check_end(const char *text, size_t *body_len) {
  size_t len = strlen(text);
  if (len < 2 || text[len - 1] != '\n')
    return -1;
  const char *last = text + len - 1;
  while (last > text && last[-1] != '\n')
    last--;
  size_t declared;
  char tail;
  if (sscanf(last, "end %zu%c", &declared, &tail) != 2 || tail != '\n' ||
      declared != (size_t)(last - text))
    return -1;
  *body_len = declared;
  return 0;
}

/* The next line, which must be "<key> <expected>". */
static statefile_status_t statefile_expect(statefile_parser_t *p, char **cursor,
                                           const char *key,
                                           const char *expected,
                                           statefile_status_t mismatch) {
  char *line = strsep(cursor, "\n");
  size_t klen = strlen(key);
  p->line_no++;
  if (line == NULL || strncmp(line, key, klen) != 0 || line[klen] != ' ') {
    statefile_fail(p, "no %s line", key);
    return STATEFILE_BAD;
  }
  if (strcmp(line + klen + 1, expected) == 0)
    return STATEFILE_OK;
  statefile_fail(p, "written for another %s", key);
  return mismatch;
}

static statefile_status_t statefile_header(statefile_parser_t *p,
                                           char **cursor) {
  char *line = strsep(cursor, "\n");
  int version = 0;
  char magic[32];
  p->line_no = 1;
  if (line == NULL || sscanf(line, "%31s %d", magic, &version) != 2 ||
      strcmp(magic, STATEFILE_MAGIC) != 0) {
    statefile_fail(p, "not a collectd-dcdn state file");
    return STATEFILE_BAD;
  }
  if (version != STATEFILE_VERSION) {
    statefile_fail(p, "version %d, this plugin reads version %d", version,
                   STATEFILE_VERSION);
    return STATEFILE_FOREIGN;
  }
  statefile_status_t st =
      statefile_expect(p, cursor, "account", p->owner->account, STATEFILE_BAD);
  if (st == STATEFILE_OK)
    st = statefile_expect(p, cursor, "endpoint", p->owner->endpoint,
                          STATEFILE_FOREIGN);
  if (st == STATEFILE_OK)
    st = statefile_expect(p, cursor, "credential", p->owner->credential,
                          STATEFILE_FOREIGN);
  return st;
}

statefile_status_t statefile_parse(const char *text,
                                   const statefile_owner_t *owner,
                                   statefile_state_t *st, char *why,
                                   size_t why_size) {
  memset(st, 0, sizeof(*st));
  why[0] = '\0';
  statefile_parser_t p = {st, owner, why, why_size, 0, 0};
  size_t body_len = 0;
  if (statefile_check_end(text, &body_len) != 0) {
    snprintf(why, why_size, "truncated: no valid end line");
    return STATEFILE_BAD;
  }
  char *copy = strndup(text, body_len);
  if (copy == NULL) {
    snprintf(why, why_size, "out of memory");
    return STATEFILE_BAD;
  }
  char *cursor = copy;
  statefile_status_t status = statefile_header(&p, &cursor);
  char *line;
  while (status == STATEFILE_OK && (line = strsep(&cursor, "\n")) != NULL) {
    p.line_no++;
    if (*line != '\0' && statefile_line(&p, line) != 0)
      status = STATEFILE_BAD;
  }
  free(copy);
  return status;
}

/* ---- adopting ---- */

/* The live number of a file domain. Domain "*" takes back the domains it
 * had found, in account mode (domain by domain, only the domains listed by
 * name are read); a domain no longer reported is kept dormant. */
static uint32_t statefile_live_domain(watch_t *w, const char *name) {
  uint32_t d = domtab_find(&w->domains, name);
  if (d == DOMTAB_NONE && !w->domain_mode)
    d = domtab_resolve(&w->domains, name);
  if (d == DOMTAB_NONE)
    d = domtab_add_dormant(&w->domains, name);
  return d;
}

static int statefile_adopt_domain(const statefile_domain_t *fd, watch_t *w,
                                  uint32_t d) {
  for (unsigned t = 0; t < TASK_TYPE_COUNT; t++) {
    if (!watch_reports(w, d, t))
      continue;
    plan_cursor_t *c = streams_at(&w->streams, d, t);
    if (c == NULL ||
        lifetime_set(&w->lifetime, d, t, fd->completed[t], fd->failed[t]) != 0)
      return -1;
    const plan_cursor_t *saved = &fd->streams[t];
    c->covered_from = saved->covered_from;
    c->covered_until = saved->covered_until;
    /* Counted from no later than it is covered from. */
    c->counted_from =
        saved->counted_from != 0 && saved->counted_from < saved->covered_from
            ? saved->counted_from
            : saved->covered_from;
  }
  return 0;
}

/* Every task is kept with what was notified of it. One whose stream is
 * not known (not reported now, or newly reported) is no longer in the
 * counters: read again, it counts as on a cold start. */
static int statefile_adopt_tasks(const statefile_state_t *st, watch_t *w,
                                 const uint32_t *live) {
  size_t pos = 0;
  const tracked_task_t *t;
  while ((t = tasktable_next(&st->tasks, &pos)) != NULL) {
    tracked_task_t copy = *t;
    copy.domain = live[t->domain];
    if (copy.domain == DOMTAB_NONE)
      continue;
    if (watch_covered(w, copy.domain, copy.type) == 0)
      copy.flags &= (uint8_t)~LIFECYCLE_COUNTED;
    bool is_new;
    if (tasktable_put(&w->tasks, &copy, &is_new) != 0)
      return -1;
  }
  return 0;
}

int statefile_adopt(statefile_state_t *st, watch_t *w, bool *health_failed) {
  /* The state remembers a switch that QueryMode auto made. */
  w->domain_mode = w->query_mode == CONF_QUERY_DOMAIN ||
                   (w->query_mode == CONF_QUERY_AUTO && st->domain_mode);
  *health_failed = st->health_failed;
  for (unsigned t = 0; t < TASK_TYPE_COUNT; t++)
    if (watch_wildcard_reports(w, t))
      w->streams.wildcard[t] = st->wildcard[t];
  uint32_t *live = calloc(st->domain_count + 1, sizeof(*live));
  if (live == NULL)
    return -1;
  int status = 0;
  for (size_t i = 0; i < st->domain_count && status == 0; i++) {
    live[i] = statefile_live_domain(w, st->domains[i].name);
    if (live[i] != DOMTAB_NONE)
      status = statefile_adopt_domain(&st->domains[i], w, live[i]);
  }
  if (status == 0)
    status = statefile_adopt_tasks(st, w, live);
  free(live);
  return status;
}

void statefile_state_free(statefile_state_t *st) {
  for (size_t i = 0; i < st->domain_count; i++)
    free(st->domains[i].name);
  free(st->domains);
  tasktable_free(&st->tasks);
  memset(st, 0, sizeof(*st));
}
