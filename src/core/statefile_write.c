/* Writing a state file: streamed, a bounded chunk at a time, so that a save
 * holds one chunk and the TaskId-order index, never the whole text (about
 * 41 bytes a task, in a buffer of up to twice that). */
#include "core/statefile.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for the longest line: an owner line ("credential " and up to
 * STATEFILE_OWNER_LEN - 1 characters) or a domain line. */
#define STATEFILE_LINE_MAX 512
_Static_assert(STATEFILE_LINE_MAX > STATEFILE_OWNER_LEN + 16 &&
                   STATEFILE_LINE_MAX > CONF_MAX_DOMAIN_LEN + 32,
               "a state file line fits its buffer");

typedef struct {
  strbuf_t chunk; /* at most chunk_max bytes (its limit) */
  size_t handed;  /* bytes the sink took so far */
  statefile_sink_t sink;
  void *arg;
  int status; /* -1 once the sink or memory failed: the rest is skipped */
} statefile_writer_t;

static void statefile_flush(statefile_writer_t *wr) {
  if (wr->status == 0 && wr->chunk.len > 0 &&
      wr->sink(wr->arg, wr->chunk.data, wr->chunk.len) != 0)
    wr->status = -1;
  wr->handed += wr->chunk.len;
  strbuf_reset(&wr->chunk);
}

/* Appends len bytes, handing each chunk on as soon as it is full: a line
 * may end in the next chunk, the bytes are the same. */
static void statefile_put(statefile_writer_t *wr, const char *s, size_t len) {
  while (len > 0 && wr->status == 0) {
    size_t room = wr->chunk.max - wr->chunk.len;
    size_t n = len < room ? len : room;
    strbuf_append_len(&wr->chunk, s, n);
    if (strbuf_error(&wr->chunk) != STRBUF_OK) {
      wr->status = -1;
      errno = ENOMEM;
      return;
    }
    s += n;
    len -= n;
    if (wr->chunk.len == wr->chunk.max)
      statefile_flush(wr);
  }
}

__attribute__((format(printf, 2, 3))) static void
statefile_printf(statefile_writer_t *wr, const char *fmt, ...) {
  char line[STATEFILE_LINE_MAX];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof(line)) { /* ruled out by the assert */
    wr->status = -1;
    errno = EOVERFLOW;
    return;
  }
  statefile_put(wr, line, (size_t)n);
}

static void statefile_write_task(statefile_writer_t *wr,
                                 const tracked_task_t *t) {
  statefile_printf(wr, "task %" PRIu64 " %" PRId64 " %" PRIu32 " %u %u %u %u\n",
                   t->id, t->created, t->domain, t->type, t->status,
                   t->progress, t->flags);
}

/* Moves v[root] down to where the heap v[0..n) has it. */
static void statefile_sift(uint64_t *v, size_t root, size_t n) {
  for (size_t child; (child = 2 * root + 1) < n; root = child) {
    if (child + 1 < n && v[child + 1] > v[child])
      child++;
    if (v[root] >= v[child])
      return;
    uint64_t top = v[root];
    v[root] = v[child];
    v[child] = top;
  }
}

/* Heapsort, in place. Not qsort: glibc's sorts through a copy as large as
 * the array, which would double what a save holds. */
static void statefile_sort(uint64_t *v, size_t n) {
  for (size_t i = n / 2; i-- > 0;)
    statefile_sift(v, i, n);
  for (size_t end = n; end-- > 1;) {
    uint64_t top = v[0];
    v[0] = v[end];
    v[end] = top;
    statefile_sift(v, 0, end);
  }
}

/* In TaskId order: the hash table's slot order depends on the order of
 * insertion (probes wrap around) and on its capacity, so a file read back
 * would otherwise be written in another order. The ids, sorted (8 bytes a
 * task), are what a save holds besides a chunk; slot order is the
 * fallback without memory. */
static void statefile_write_tasks(statefile_writer_t *wr,
                                  const tasktable_t *tr) {
  uint64_t *ids = malloc((tr->count + 1) * sizeof(*ids));
  size_t pos = 0, n = 0;
  const tracked_task_t *t;
  while ((t = tasktable_next(tr, &pos)) != NULL) {
    if (ids == NULL)
      statefile_write_task(wr, t);
    else
      ids[n++] = t->id;
  }
  if (ids == NULL)
    return;
  statefile_sort(ids, n);
  for (size_t i = 0; i < n; i++)
    statefile_write_task(wr, tasktable_get(tr, ids[i]));
  free(ids);
}

static void statefile_write_cursor(statefile_writer_t *wr, const char *key,
                                   const char *which, const plan_cursor_t *c) {
  if (c != NULL && c->covered_until != 0)
    statefile_printf(wr, "%s %s %" PRId64 " %" PRId64 "\n", key, which,
                     (int64_t)c->covered_from, (int64_t)c->covered_until);
}

static void statefile_write_domain(statefile_writer_t *wr, const watch_t *w,
                                   uint32_t d) {
  statefile_printf(wr, "domain %" PRIu32 " %s\n", d,
                   w->domains.entries[d].name);
  for (unsigned t = 0; t < TASK_TYPE_COUNT; t++) {
    if (!watch_reports(w, d, t))
      continue;
    char which[32];
    snprintf(which, sizeof(which), "%" PRIu32 " %u", d, t);
    const plan_cursor_t *c = streams_get(&w->streams, d, t);
    statefile_write_cursor(wr, "stream", which, c);
    /* Only where a lowered Lookback made it differ from the coverage. */
    if (c != NULL && c->covered_until != 0 && c->counted_from != 0 &&
        c->counted_from < c->covered_from)
      statefile_printf(wr, "counted %s %" PRId64 "\n", which,
                       (int64_t)c->counted_from);
    const lifetime_entry_t *e = lifetime_get(&w->lifetime, d, t);
    if (e != NULL && (e->completed || e->failed))
      /* "ledger": the file format's word for the lifetime counters. */
      statefile_printf(wr, "ledger %s %" PRIu64 " %" PRIu64 "\n", which,
                       e->completed, e->failed);
  }
}

/* Whose the file is, the query mode, the health and the wildcard's
 * coverage: one line each. */
static void statefile_write_head(statefile_writer_t *wr,
                                 const statefile_owner_t *owner,
                                 const watch_t *w, bool health_failed) {
  statefile_printf(wr, "%s %d\n", STATEFILE_MAGIC, STATEFILE_VERSION);
  statefile_printf(wr, "account %s\n", owner->account);
  statefile_printf(wr, "endpoint %s\n", owner->endpoint);
  statefile_printf(wr, "credential %s\n", owner->credential);
  statefile_printf(wr, "mode %s\n", w->domain_mode ? "domain" : "account");
  statefile_printf(wr, "health %s\n", health_failed ? "failed" : "ok");
  for (unsigned t = 0; t < TASK_TYPE_COUNT; t++) {
    if (!watch_wildcard_reports(w, t))
      continue;
    char which[8];
    snprintf(which, sizeof(which), "%u", t);
    statefile_write_cursor(wr, "wildcard", which, &w->streams.wildcard[t]);
  }
}

int statefile_write(const statefile_owner_t *owner, const watch_t *w,
                    bool health_failed, size_t chunk_max, statefile_sink_t sink,
                    void *arg) {
  statefile_writer_t wr = {.sink = sink, .arg = arg};
  strbuf_init(&wr.chunk, chunk_max > 0 ? chunk_max : 1);
  statefile_write_head(&wr, owner, w, health_failed);
  for (uint32_t d = 0; d < w->domains.count; d++)
    statefile_write_domain(&wr, w, d);
  statefile_write_tasks(&wr, &w->tasks);
  /* The byte count before it: a file cut short anywhere is refused. */
  statefile_printf(&wr, "end %zu\n", wr.handed + wr.chunk.len);
  statefile_flush(&wr);
  int error = errno; /* the sink's reason, past the wiping free */
  strbuf_free(&wr.chunk);
  errno = error;
  return wr.status;
}

static int statefile_to_strbuf(void *arg, const char *data, size_t len) {
  strbuf_append_len(arg, data, len);
  return strbuf_error(arg) == STRBUF_OK ? 0 : -1;
}

void statefile_format(strbuf_t *out, const statefile_owner_t *owner,
                      const watch_t *w, bool health_failed) {
  if (statefile_write(owner, w, health_failed, STATEFILE_CHUNK_MAX,
                      statefile_to_strbuf, out) != 0)
    strbuf_fail(out, STRBUF_NO_MEMORY);
}
