#include "core/statefile.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void statefile_format_task(strbuf_t *out, const tracked_task_t *t) {
  strbuf_printf(out, "task %" PRIu64 " %" PRId64 " ", t->id, t->created);
  if (t->domain == DOMTAB_NONE)
    strbuf_append_char(out, '-');
  else
    strbuf_printf(out, "%" PRIu32, t->domain);
  strbuf_printf(out, " %u %u %u %u\n", t->type, t->status, t->progress,
                t->flags);
}

static int statefile_by_id(const void *a, const void *b) {
  uint64_t x = (*(const tracked_task_t *const *)a)->id;
  uint64_t y = (*(const tracked_task_t *const *)b)->id;
  return (x > y) - (x < y);
}

/* In TaskId order: the hash table's slot order depends on the order of
 * insertion (probes wrap around), so a file read back would otherwise be
 * written in another order. Slot order is the fallback without memory. */
static void statefile_format_tasks(strbuf_t *out, const tracker_t *tr) {
  const tracked_task_t **sorted = calloc(tr->count + 1, sizeof(*sorted));
  size_t pos = 0, n = 0;
  const tracked_task_t *t;
  while ((t = tracker_next(tr, &pos)) != NULL) {
    if (sorted == NULL)
      statefile_format_task(out, t);
    else
      sorted[n++] = t;
  }
  if (sorted == NULL)
    return;
  qsort(sorted, n, sizeof(*sorted), statefile_by_id);
  for (size_t i = 0; i < n; i++)
    statefile_format_task(out, sorted[i]);
  free(sorted);
}

static void statefile_format_domains(strbuf_t *out, const domtab_t *domains,
                                     const statefile_state_t *st) {
  for (uint32_t d = 0; d < domains->count; d++) {
    strbuf_printf(out, "domain %" PRIu32 " %s\n", d, domains->entries[d].name);
    for (unsigned t = 0; t < TASK_TYPE_COUNT; t++) {
      const ledger_entry_t *e = ledger_get(&st->ledger, d, t);
      if (e != NULL && (e->completed || e->failed))
        strbuf_printf(out, "ledger %" PRIu32 " %u %" PRIu64 " %" PRIu64 "\n", d,
                      t, e->completed, e->failed);
      size_t i = (size_t)d * TASK_TYPE_COUNT + t;
      if (i < st->domain_cursor_count && st->domain_cursors[i].covered_until)
        strbuf_printf(out, "cursor %" PRIu32 " %u %" PRId64 "\n", d, t,
                      (int64_t)st->domain_cursors[i].covered_until);
    }
  }
}

void statefile_format(strbuf_t *out, const char *account,
                      const domtab_t *domains, const statefile_state_t *st) {
  size_t start = out->len;
  strbuf_printf(
      out, "%s %d\naccount %s\nmode %s\ncovered %" PRId64 "\nhealth %s\n",
      STATEFILE_MAGIC, STATEFILE_VERSION, account,
      st->domain_mode ? "domain" : "account", (int64_t)st->account_covered,
      st->health_failed ? "failed" : "ok");
  statefile_format_domains(out, domains, st);
  statefile_format_tasks(out, &st->tracker);
  /* The byte count before it: a file cut short anywhere is refused. */
  strbuf_printf(out, "end %zu\n", out->len - start);
}

typedef struct {
  domtab_t *domains;
  statefile_state_t *st;
  uint32_t *map; /* file domain number -> live domain number */
  size_t map_count;
  char *why;
  size_t why_size;
  long line_no;
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

/* Exactly n fields one space apart, each 1..19 digits or a lone "-" (a
 * task of no domain). sscanf alone would read "-1" as a huge unsigned
 * number, overflow on more digits and ignore whatever follows. */
static bool statefile_fields(const char *args, int n) {
  for (int i = 0; i < n; i++) {
    if (i > 0 && *args++ != ' ')
      return false;
    size_t digits = strspn(args, "0123456789");
    if (digits == 0 && args[0] == '-' && (args[1] == ' ' || args[1] == '\0'))
      digits = 1;
    else if (digits == 0 || digits > 19)
      return false;
    args += digits;
  }
  return *args == '\0';
}

static int statefile_live_domain(statefile_parser_t *p, uint32_t file_domain,
                                 uint32_t *live) {
  if (file_domain >= p->map_count)
    return statefile_fail(p, "domain %" PRIu32 " was not declared",
                          file_domain);
  *live = p->map[file_domain];
  return 0;
}

static int statefile_domain(statefile_parser_t *p, const char *args) {
  uint32_t n;
  int used = -1;
  char name[CONF_MAX_DOMAIN_LEN + 2];
  if (sscanf(args, "%" SCNu32 " %128s%n", &n, name, &used) != 2 || used < 0 ||
      args[used] != '\0' || n != p->map_count ||
      strlen(name) > CONF_MAX_DOMAIN_LEN)
    return statefile_fail(p, "bad domain line");
  uint32_t *map = realloc(p->map, (p->map_count + 1) * sizeof(*map));
  if (map == NULL)
    return statefile_fail(p, "out of memory");
  p->map = map;
  p->map[p->map_count++] = domtab_resolve(p->domains, name);
  return 0;
}

static int statefile_ledger(statefile_parser_t *p, const char *args) {
  uint32_t d, live = DOMTAB_NONE;
  unsigned t;
  uint64_t completed, failed;
  if (!statefile_fields(args, 4) || strchr(args, '-') != NULL ||
      sscanf(args, "%" SCNu32 " %u %" SCNu64 " %" SCNu64, &d, &t, &completed,
             &failed) != 4 ||
      t >= TASK_TYPE_COUNT)
    return statefile_fail(p, "bad ledger line");
  if (statefile_live_domain(p, d, &live) != 0)
    return -1;
  if (live != DOMTAB_NONE &&
      ledger_set(&p->st->ledger, live, t, completed, failed) != 0)
    return statefile_fail(p, "out of memory");
  return 0;
}

static int statefile_cursor(statefile_parser_t *p, const char *args) {
  uint32_t d, live = DOMTAB_NONE;
  unsigned t;
  int64_t covered;
  if (!statefile_fields(args, 3) || strchr(args, '-') != NULL ||
      sscanf(args, "%" SCNu32 " %u %" SCNd64, &d, &t, &covered) != 3 ||
      t >= TASK_TYPE_COUNT || covered < 0)
    return statefile_fail(p, "bad cursor line");
  if (statefile_live_domain(p, d, &live) != 0)
    return -1;
  if (live == DOMTAB_NONE)
    return 0;
  size_t need = ((size_t)live + 1) * TASK_TYPE_COUNT;
  statefile_state_t *st = p->st;
  if (need > st->domain_cursor_count) {
    plan_cursor_t *c = realloc(st->domain_cursors, need * sizeof(*c));
    if (c == NULL)
      return statefile_fail(p, "out of memory");
    memset(c + st->domain_cursor_count, 0,
           (need - st->domain_cursor_count) * sizeof(*c));
    st->domain_cursors = c;
    st->domain_cursor_count = need;
  }
  st->domain_cursors[(size_t)live * TASK_TYPE_COUNT + t].covered_until =
      (time_t)covered;
  return 0;
}

static int statefile_task(statefile_parser_t *p, const char *args) {
  tracked_task_t t = {0};
  char domain[16];
  unsigned type, status, progress, flags;
  if (!statefile_fields(args, 7) ||
      sscanf(args, "%" SCNu64 " %" SCNd64 " %15s %u %u %u %u", &t.id,
             &t.created, domain, &type, &status, &progress, &flags) != 7 ||
      t.id == 0 || type > TASK_TYPE_COUNT || status > TASK_STATUS_COUNT ||
      progress > 100 || flags > 0xff)
    return statefile_fail(p, "bad task line");
  t.domain = DOMTAB_NONE;
  if (strcmp(domain, "-") != 0) {
    char *end = NULL;
    unsigned long d = strtoul(domain, &end, 10);
    if (*end != '\0' || d > UINT32_MAX ||
        statefile_live_domain(p, (uint32_t)d, &t.domain))
      return statefile_fail(p, "bad task domain");
  }
  t.type = (uint8_t)type;
  t.status = (uint8_t)status;
  t.progress = (uint8_t)progress;
  t.flags = (uint8_t)flags;
  bool is_new;
  if (tracker_put(&p->st->tracker, &t, &is_new) != 0)
    return statefile_fail(p, "out of memory");
  return 0;
}

static int statefile_scalar(statefile_parser_t *p, const char *key,
                            const char *args) {
  statefile_state_t *st = p->st;
  int64_t covered;
  if (strcmp(key, "mode") == 0 &&
      (strcmp(args, "account") == 0 || strcmp(args, "domain") == 0))
    st->domain_mode = strcmp(args, "domain") == 0;
  else if (strcmp(key, "health") == 0 &&
           (strcmp(args, "ok") == 0 || strcmp(args, "failed") == 0))
    st->health_failed = strcmp(args, "failed") == 0;
  else if (strcmp(key, "covered") == 0 && statefile_fields(args, 1) &&
           sscanf(args, "%" SCNd64, &covered) == 1 && covered >= 0)
    st->account_covered = (time_t)covered;
  else
    return statefile_fail(p, "bad %s line", key);
  return 0;
}

static int statefile_line(statefile_parser_t *p, char *line) {
  char *args = strchr(line, ' ');
  if (args == NULL)
    return statefile_fail(p, "no value");
  *args++ = '\0';
  if (strcmp(line, "task") == 0)
    return statefile_task(p, args);
  if (strcmp(line, "domain") == 0)
    return statefile_domain(p, args);
  if (strcmp(line, "ledger") == 0)
    return statefile_ledger(p, args);
  if (strcmp(line, "cursor") == 0)
    return statefile_cursor(p, args);
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

static int statefile_header(statefile_parser_t *p, char **cursor,
                            const char *account) {
  char *line = strsep(cursor, "\n");
  int version = 0;
  char magic[32];
  p->line_no = 1;
  if (line == NULL || sscanf(line, "%31s %d", magic, &version) != 2 ||
      strcmp(magic, STATEFILE_MAGIC) != 0)
    return statefile_fail(p, "not a collectd-dcdn state file");
  if (version != STATEFILE_VERSION)
    return statefile_fail(p, "version %d, this plugin reads version %d",
                          version, STATEFILE_VERSION);
  line = strsep(cursor, "\n");
  p->line_no = 2;
  if (line == NULL || strncmp(line, "account ", 8) != 0 ||
      strcmp(line + 8, account) != 0)
    return statefile_fail(p, "the file belongs to another account");
  return 0;
}

int statefile_parse(const char *text, const char *account, domtab_t *domains,
                    statefile_state_t *st, char *why, size_t why_size) {
  memset(st, 0, sizeof(*st));
  statefile_parser_t p = {domains, st, NULL, 0, why, why_size, 0};
  size_t body_len = 0;
  if (statefile_check_end(text, &body_len) != 0) {
    snprintf(why, why_size, "truncated: no valid end line");
    return -1;
  }
  char *copy = strndup(text, body_len);
  if (copy == NULL) {
    snprintf(why, why_size, "out of memory");
    return -1;
  }
  char *cursor = copy;
  int status = statefile_header(&p, &cursor, account);
  char *line;
  while (status == 0 && (line = strsep(&cursor, "\n")) != NULL) {
    p.line_no++;
    if (*line != '\0')
      status = statefile_line(&p, line);
  }
  free(copy);
  free(p.map);
  return status;
}

void statefile_state_free(statefile_state_t *st) {
  tracker_free(&st->tracker);
  ledger_free(&st->ledger);
  free(st->domain_cursors);
  memset(st, 0, sizeof(*st));
}
