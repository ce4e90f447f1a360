/* What an account has seen, as text that survives a restart: whose it is
 * (account, Endpoint, credentials), tasks (with what was notified),
 * counters, how far each stream is covered, the query mode and the
 * account's health. Pure: the shell reads and writes the file.
 *
 * Reading is two steps, so that a refused file changes nothing: parse
 * (the text alone, every name validated) and adopt (what the current
 * configuration still reports). */
#ifndef DCDN_STATEFILE_H
#define DCDN_STATEFILE_H

#include "core/conf.h"
#include "core/plan.h"
#include "core/strbuf.h"
#include "core/tasktable.h"
#include "core/watch.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define STATEFILE_MAGIC "collectd-dcdn-state"
/* Raising it makes every older file foreign: one info line, and the
 * account starts afresh (as on its first start: nothing is notified
 * twice, the lifetime counters start again). */
#define STATEFILE_VERSION 2
#define STATEFILE_OWNER_LEN 256

/* Whose the file is: a file of another account, Endpoint or key is not
 * this account's history. */
typedef struct {
  char account[STATEFILE_OWNER_LEN];
  char endpoint[STATEFILE_OWNER_LEN];
  char credential[STATEFILE_OWNER_LEN]; /* the AccessKeyId, or the source */
} statefile_owner_t;

/* The owner of an account's file under its configuration. */
void statefile_owner(const conf_account_t *conf, statefile_owner_t *out);

/* Whether name, an entry of the StateDir, is a temporary file of a save of
 * the file named base ("<account>.state"): base, a dot and the six letters
 * or digits mkstemp put there. A process killed mid-save leaves one. */
bool statefile_is_leftover(const char *name, const char *base);

/* One domain as the file holds it. */
typedef struct {
  char *name;
  plan_cursor_t streams[TASK_TYPE_COUNT]; /* coverage only */
  uint64_t completed[TASK_TYPE_COUNT];
  uint64_t failed[TASK_TYPE_COUNT];
} statefile_domain_t;

typedef struct {
  statefile_domain_t *domains; /* index = the file's domain number */
  size_t domain_count;
  plan_cursor_t wildcard[TASK_TYPE_COUNT];
  tasktable_t tasks; /* tasks; domain = the file's domain number */
  bool domain_mode;
  bool health_failed;
} statefile_state_t;

typedef enum {
  STATEFILE_OK = 0,
  STATEFILE_BAD = -1,    /* truncated, corrupted, or another account's */
  STATEFILE_FOREIGN = 1, /* another version, Endpoint or key: not ours */
} statefile_status_t;

/* Takes the next len bytes of a file's text (core/statefile_write.c hands
 * it over in order, a chunk at a time). Returns 0, or -1 to stop the
 * writing (errno saying why). */
typedef int (*statefile_sink_t)(void *arg, const char *data, size_t len);

/* The most bytes a chunk holds: a save holds one chunk and the TaskId-order
 * index (8 bytes a task), not the whole text. */
#define STATEFILE_CHUNK_MAX (64 * 1024)

/* Writes the watch's state to sink, in chunks of at most chunk_max bytes
 * (1 at least): the bytes are the same whatever chunk_max. Returns 0, or
 * -1 when the sink stopped it or memory ran out (errno ENOMEM). */
int statefile_write(const statefile_owner_t *owner, const watch_t *w,
                    bool health_failed, size_t chunk_max, statefile_sink_t sink,
                    void *arg);
/* Writes the watch's state, whole, to out (failing out when memory runs
 * out, as its own appends would). */
void statefile_format(strbuf_t *out, const statefile_owner_t *owner,
                      const watch_t *w, bool health_failed);

/* Reads a whole file's text into a fresh state (zeroed first; free it with
 * statefile_state_free whatever the result). Returns STATEFILE_OK, or the
 * reason in why: a truncated, corrupted or foreign file is refused whole. */
statefile_status_t statefile_parse(const char *text,
                                   const statefile_owner_t *owner,
                                   statefile_state_t *st, char *why,
                                   size_t why_size);

/* Moves into w what its configuration still reports: the domains it names
 * (and, with Domain "*" in account mode, those found before), their
 * streams' coverage, counters and tasks, and the query mode that QueryMode
 * auto switched to. Everything else is dropped: a stream that was not
 * reported is read afresh. Returns 0, or -1 when out of memory (w then
 * holds part of it: the caller starts afresh). */
int statefile_adopt(statefile_state_t *st, watch_t *w, bool *health_failed);

void statefile_state_free(statefile_state_t *st);

#endif
