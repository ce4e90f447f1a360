/* memory-bench: the bytes the plugin holds per tracked task, all included,
 * at 300,000 tasks in one account (a team purging 100,000 objects a day
 * keeps three days). Not a test: it prints figures.
 *
 * It configures one account as a user would (account mode, 200 domains,
 * Lookback 259200), then feeds the tasks through the core's real path, as
 * poll.c does: watch_begin_poll, watch_account_begin, watch_observe for
 * every task of the answers (newest first, as the API pages them),
 * watch_account_done, watch_expire; then a second poll, which queues the
 * tasks in flight for lookups by id. The tasks are a realistic mix: ids
 * of 11 digits rising with time, domains of very unequal traffic, 60 %
 * file, 20 % directory, 5 % regex, 15 % preload, created over 3 days, about
 * 5 % failed, the last few minutes' tasks in flight and a few old ones
 * stuck.
 *
 * Bytes per task come two ways: the heap's growth (glibc's mallinfo2:
 * bytes in use plus mmapped blocks, so malloc's own overhead is counted),
 * from before the configuration was read to after the second poll; and
 * the structures' own sizes (tasktable_bytes and the per-domain ones).
 * What a poll allocates and frees (the gauges, the state file's text) is
 * shown apart: it is not held between polls.
 *
 *     make bench && contrib/bench/memory-bench [TASKS [DOMAINS]]
 */
#include "core/conf.h"
#include "core/gauges.h"
#include "core/statefile.h"
#include "core/strbuf.h"
#include "core/watch.h"
#include "oconfig_builder.h"

#include <malloc.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TARGET_BYTES 64.0
#define HISTORY 259200 /* the API's three days */
#define LOOKBACK HISTORY
#define NOW ((time_t)1714979289)

/* A small deterministic generator (xorshift64*), so that every run feeds
 * the same tasks. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rng_next(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1DULL;
}
static double rng_unit(void) {
  return (double)(rng_next() >> 11) / 9007199254740992.0;
}

static size_t heap_in_use(void) {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

/* The account's configuration text: Domain lines of ten names each. */
static char *account_text(long domains) {
  strbuf_t sb = STRBUF_INIT;
  strbuf_printf(&sb,
                "<Account \"bench\">\nAccessKeyId \"LTAIkey\"\n"
                "AccessKeySecret \"s3cr3t\"\nQueryMode \"account\"\n"
                "Lookback %d\n",
                LOOKBACK);
  for (long d = 0; d < domains; d++)
    strbuf_printf(&sb, "%s\"site%03ld.example.com\"%s",
                  d % 10 ? " " : "Domain ", d,
                  d % 10 == 9 || d == domains - 1 ? "\n" : "");
  strbuf_append(&sb, "</Account>\n");
  return strbuf_take(&sb);
}

/* Domains of very unequal traffic: domain d gets a share of 1/(d+1)^0.8. */
static long *domain_weights(long domains, double *total) {
  long *cum = calloc((size_t)domains, sizeof(*cum));
  double sum = 0;
  for (long d = 0; d < domains; d++) {
    sum += 1e6 / pow((double)d + 1, 0.8);
    cum[d] = (long)sum;
  }
  *total = sum;
  return cum;
}

static long pick_domain(const long *cum, long domains, double total) {
  long x = (long)(rng_unit() * total), lo = 0, hi = domains - 1;
  while (lo < hi) {
    long mid = (lo + hi) / 2;
    if (cum[mid] <= x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static task_type_t pick_type(void) {
  unsigned r = (unsigned)(rng_next() % 100);
  return r < 60   ? TASK_TYPE_FILE
         : r < 80 ? TASK_TYPE_DIRECTORY
         : r < 85 ? TASK_TYPE_REGEX
                  : TASK_TYPE_PRELOAD;
}

/* In flight if created in the last 5 minutes, or one old task in 2,000
 * (stuck); else one in 20 failed. */
static task_status_t pick_status(time_t age) {
  if (age < 300)
    return age < 20 ? TASK_STATUS_PENDING : TASK_STATUS_REFRESHING;
  uint64_t r = rng_next() % 2000;
  if (r == 0)
    return TASK_STATUS_REFRESHING;
  return r % 20 == 1 ? TASK_STATUS_FAILED : TASK_STATUS_COMPLETE;
}

static const char *const SUFFIX[TASK_TYPE_COUNT] = {".html", "/", "/.*\\.jpg",
                                                    ".mp4"};

/* One poll of the account-wide window over tasks [0, n), newest first:
 * created[i] falls with i. Returns the tasks tracked. */
static long feed(watch_t *w, const time_t *created, long n, const long *cum,
                 long domains, double total, time_t now) {
  watch_begin_poll(w, now);
  if (watch_account_begin(w, now) < 0)
    return -1;
  long tracked = 0;
  for (long i = 0; i < n; i++) {
    char id[24], path[96];
    task_type_t type = pick_type();
    snprintf(id, sizeof(id), "%llu",
             (unsigned long long)(17000000000ULL + 3ULL * (uint64_t)(n - i) +
                                  rng_next() % 3));
    snprintf(path, sizeof(path), "http://site%03ld.example.com/%s/%ld%s",
             pick_domain(cum, domains, total),
             type == TASK_TYPE_PRELOAD ? "video" : "static", n - i,
             SUFFIX[type]);
    task_t t;
    memset(&t, 0, sizeof(t));
    t.task_id = id;
    t.object_path = path;
    t.description = (char *)"";
    t.type = type;
    t.status = pick_status(now - created[i]);
    t.progress = t.status == TASK_STATUS_COMPLETE ? 100 : 40;
    t.created = created[i];
    watch_seen_t seen;
    watch_observe(w, &t, now, &seen);
    if (seen.verdict == WATCH_NO_MEMORY)
      return -1;
    tracked += seen.verdict == WATCH_TRACKED;
  }
  watch_account_done(w);
  watch_expire(w, now);
  return tracked;
}

static int by_newest(const void *a, const void *b) {
  time_t x = *(const time_t *)a, y = *(const time_t *)b;
  return (x < y) - (x > y);
}

static double per(size_t bytes, size_t tasks) {
  return tasks ? (double)bytes / (double)tasks : 0;
}

/* The heap at each step, and what a poll allocates and frees again. */
typedef struct {
  size_t start, conf, init, held;
  size_t gauges, state_len, state_cap;
  long tracked;
} figures_t;

static void fail(const char *why) {
  fprintf(stderr, "memory-bench: %s\n", why);
  exit(1);
}

/* The creation times, newest first, over the API's three days. */
static time_t *creation_times(long n) {
  time_t *created = calloc((size_t)n, sizeof(*created));
  if (created == NULL)
    fail("out of memory");
  for (long i = 0; i < n; i++)
    created[i] = NOW - (time_t)(rng_unit() * (HISTORY - 600));
  qsort(created, (size_t)n, sizeof(*created), by_newest);
  return created;
}

/* What a poll allocates and frees again: the gauges of the dispatch and
 * the state file's text. */
static void measure_transient(const conf_account_t *account, const watch_t *w,
                              figures_t *f) {
  gauges_t *counts = calloc(w->domains.count + 1, sizeof(*counts));
  if (counts == NULL)
    fail("out of memory");
  gauges_count(&w->domains, &w->tasks, NOW - LOOKBACK, NOW - HISTORY, counts);
  f->gauges = (w->domains.count + 1) * sizeof(*counts);
  free(counts);
  statefile_owner_t owner;
  statefile_owner(account, &owner);
  strbuf_t state = STRBUF_INIT;
  statefile_format(&state, &owner, w, false);
  f->state_len = state.len;
  f->state_cap = state.cap;
  strbuf_free(&state);
}

static void print_figures(const watch_t *w, const figures_t *f, long n,
                          long domains) {
  size_t tasks = w->tasks.count, all = f->held - f->start;
  size_t table = tasktable_bytes(&w->tasks);
  printf("memory-bench: %ld tasks fed (%ld tracked) over %ld domains, created "
         "over %d s, one account in account mode, Lookback %d\n",
         n, f->tracked, domains, HISTORY - 600, LOOKBACK);
  printf("  tracked tasks: %zu, of them in flight and queued for lookup by "
         "id: %zu\n",
         tasks, w->by_id.count);
  printf("  heap growth (mallinfo2 uordblks + hblkhd):\n");
  printf("    configuration (conf_add_block):      %9zu B\n",
         f->conf - f->start);
  printf("    watch_init (domains, streams):       %9zu B\n",
         f->init - f->conf);
  printf("    two polls (tasks, lifetime, by id):  %9zu B = %.1f B per task\n",
         f->held - f->init, per(f->held - f->init, tasks));
  printf("    all included:                        %9zu B = %.1f B per task\n",
         all, per(all, tasks));
  printf("  the structures' own sizes:\n");
  printf("    task table (tasktable_bytes):        %9zu B = %.1f B per task "
         "(%zu slots of %zu B, load %.2f)\n",
         table, per(table, tasks), w->tasks.cap, sizeof(tracked_task_t),
         w->tasks.cap ? (double)tasks / (double)w->tasks.cap : 0.0);
  printf("    streams (per domain and type):       %9zu B\n",
         w->streams.domains * TASK_TYPE_COUNT * sizeof(plan_cursor_t));
  printf("    lifetime counters (likewise):        %9zu B\n",
         w->lifetime.domains * TASK_TYPE_COUNT * sizeof(lifetime_entry_t));
  printf("    by-id queue:                         %9zu B\n",
         w->by_id.cap * sizeof(*w->by_id.ids));
  printf("  allocated and freed within a poll (not held):\n");
  printf("    gauges (per domain):                 %9zu B\n", f->gauges);
  printf("    state file text (statefile_format):  %9zu B = %.1f B per task "
         "(buffer %zu B), with its TaskId index of %zu B\n",
         f->state_len, per(f->state_len, tasks), f->state_cap,
         (tasks + 1) * sizeof(void *));
  printf("  TARGET at most %.0f B per tracked task, all included: %s "
         "(%.1f B)\n",
         TARGET_BYTES, per(all, tasks) <= TARGET_BYTES ? "MET" : "NOT MET",
         per(all, tasks));
}

int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 300000;
  long domains = argc > 2 ? strtol(argv[2], NULL, 10) : 200;
  if (argc > 3 || n < 1 || n > 100000000 || domains < 1 || domains > 10000) {
    fprintf(stderr, "usage: memory-bench [TASKS (1..100000000, default "
                    "300000) [DOMAINS (1..10000, default 200)]]\n");
    return 2;
  }
  /* The bench's own inputs first, so that the heap's growth is the
   * plugin's only. */
  double total;
  long *cum = domain_weights(domains, &total);
  time_t *created = creation_times(n);
  char *text = account_text(domains);
  if (cum == NULL || text == NULL)
    fail("out of memory");
  oconfig_item_t *root = oconfig_from_text(text);

  figures_t f = {.start = heap_in_use()};
  conf_t conf = CONF_INIT;
  char err[512] = "";
  if (conf_add_block(&conf, root, err, sizeof(err), NULL, NULL) != 0)
    fail(err);
  f.conf = heap_in_use();
  watch_t w;
  if (watch_init(&w, &conf.accounts[0]) != 0)
    fail("out of memory");
  f.init = heap_in_use();
  f.tracked = feed(&w, created, n, cum, domains, total, NOW);
  /* The next interval: no new task; the old ones in flight are looked up. */
  watch_begin_poll(&w, NOW + 60);
  if (f.tracked < 0 || watch_account_begin(&w, NOW + 60) < 0)
    fail("out of memory");
  f.held = heap_in_use();
  measure_transient(&conf.accounts[0], &w, &f);
  print_figures(&w, &f, n, domains);

  watch_free(&w);
  conf_free(&conf);
  oconfig_builder_free(root);
  free(text);
  free(created);
  free(cum);
  return 0;
}
