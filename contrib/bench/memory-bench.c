/* memory-bench: the bytes the plugin holds per tracked task, all included,
 * at 300,000 tasks in one account (a team purging 100,000 objects a day
 * keeps three days), and the worst over a sweep of sizes. Not a test: it
 * prints figures.
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
 * Bytes held come from the heap's growth (glibc's mallinfo2: bytes in use
 * plus mmapped blocks, so malloc's own overhead is counted), from before
 * the configuration was read to after the second poll, and are shown
 * against the structures' own sizes (tasktable_bytes and the per-domain
 * ones). What a poll allocates and frees again (the gauges of the
 * dispatch, the state file's save) is measured as the heap's high-water
 * mark over it, above what is held: "all included" is what is held plus
 * the larger of the two, the process's peak.
 *
 * The sweep takes every size at which the task table grows, from 10,000 to
 * 1,000,000 tasks, just after it grew (its lowest load), and there expiries
 * that drop 10 %, 30 % and 60 % of the tasks (each tried in a child
 * process, on the same table).
 *
 *     make bench && contrib/bench/memory-bench    # 300,000 tasks, then the
 * sweep contrib/bench/memory-bench TASKS [DOMAINS]  # one size, no sweep
 */
#include "core/conf.h"
#include "core/gauges.h"
#include "core/plan.h"
#include "core/statefile.h"
#include "core/strbuf.h"
#include "core/watch.h"
#include "oconfig_builder.h"

#include <malloc.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TARGET_BYTES 64.0
#define HISTORY 259200 /* the API's three days */
#define LOOKBACK HISTORY
#define NOW ((time_t)1714979289)
#define DEFAULT_TASKS 300000
#define SWEEP_FROM 10000
#define SWEEP_TO 1000000

static size_t heap_in_use(void) {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

/* ---- the heap's high-water mark ----
 *
 * mallinfo2 before and after a save cannot show its peak, so every
 * allocation of the process goes through these wrappers of glibc's own
 * allocator, which note the heap in use while a stretch is measured. free
 * needs none: it never raises the heap. */
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);

static bool peak_on;
static size_t peak_bytes;

static void peak_note(void) {
  if (!peak_on)
    return;
  peak_on = false; /* in case mallinfo2 allocates */
  size_t now = heap_in_use();
  peak_bytes = now > peak_bytes ? now : peak_bytes;
  peak_on = true;
}

void *malloc(size_t size) {
  void *p = __libc_malloc(size);
  peak_note();
  return p;
}

void *calloc(size_t n, size_t size) {
  void *p = __libc_calloc(n, size);
  peak_note();
  return p;
}

void *realloc(void *old, size_t size) {
  void *p = __libc_realloc(old, size);
  peak_note();
  return p;
}

/* Starts measuring; returns the heap in use now, the base. */
static size_t peak_begin(void) {
  peak_bytes = heap_in_use();
  peak_on = true;
  return peak_bytes;
}

/* The most bytes above base the heap held since peak_begin. */
static size_t peak_end(size_t base) {
  peak_on = false;
  return peak_bytes - base;
}

/* ---- the account and its tasks ---- */

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

/* One account of n tasks over some domains: the bench's own inputs, then
 * the plugin's structures, and the heap at each step. */
typedef struct {
  long n, domains;
  long *cum;
  double total;
  time_t *created;
  char *text;
  oconfig_item_t *root;
  conf_t conf;
  watch_t w;
  size_t start, after_conf, after_init, held; /* heap in use */
  long tracked;
} bench_t;

/* The inputs first, so that the heap's growth is the plugin's only; the
 * same tasks for the same n, whatever ran before. */
static void bench_inputs(bench_t *b, long n, long domains) {
  memset(b, 0, sizeof(*b));
  rng_state = 0x9E3779B97F4A7C15ULL;
  b->n = n;
  b->domains = domains;
  b->cum = domain_weights(domains, &b->total);
  b->created = creation_times(n);
  b->text = account_text(domains);
  if (b->cum == NULL || b->text == NULL)
    fail("out of memory");
  b->root = oconfig_from_text(b->text);
}

/* The configuration, the watch and two polls, as the plugin makes them. */
static void bench_fill(bench_t *b) {
  b->start = heap_in_use();
  b->conf = (conf_t)CONF_INIT;
  char err[512] = "";
  if (conf_add_block(&b->conf, b->root, err, sizeof(err), NULL, NULL) != 0)
    fail(err);
  b->after_conf = heap_in_use();
  if (watch_init(&b->w, &b->conf.accounts[0]) != 0)
    fail("out of memory");
  b->after_init = heap_in_use();
  b->tracked = feed(&b->w, b->created, b->n, b->cum, b->domains, b->total, NOW);
  /* The next interval: no new task; the old ones in flight are looked up. */
  watch_begin_poll(&b->w, NOW + 60);
  if (b->tracked < 0 || watch_account_begin(&b->w, NOW + 60) < 0)
    fail("out of memory");
  b->held = heap_in_use();
}

static void bench_free(bench_t *b) {
  watch_free(&b->w);
  conf_free(&b->conf);
  oconfig_builder_free(b->root);
  free(b->text);
  free(b->created);
  free(b->cum);
}

/* ---- what a poll allocates and frees again ---- */

typedef struct {
  size_t gauges_peak; /* the dispatch's gauges, per domain */
  size_t save_peak;   /* saving the state file */
  size_t save_len;    /* the file's bytes */
} transient_t;

/* The save's sink: the shell writes each chunk to the temporary file;
 * here it is counted and dropped, which holds no more memory. */
static int count_chunk(void *arg, const char *data, size_t len) {
  (void)data;
  *(size_t *)arg += len;
  return 0;
}

static void measure_transient(const bench_t *b, transient_t *out) {
  const watch_t *w = &b->w;
  size_t base = peak_begin();
  gauges_t *counts = calloc(w->domains.count + 1, sizeof(*counts));
  if (counts == NULL)
    fail("out of memory");
  gauges_count(&w->domains, &w->tasks, NOW - LOOKBACK, NOW - HISTORY, counts);
  free(counts);
  out->gauges_peak = peak_end(base);
  statefile_owner_t owner;
  statefile_owner(&b->conf.accounts[0], &owner);
  out->save_len = 0;
  base = peak_begin();
  if (statefile_write(&owner, w, false, STATEFILE_CHUNK_MAX, count_chunk,
                      &out->save_len) != 0)
    fail("cannot write the state");
  out->save_peak = peak_end(base);
}

/* Held between polls plus the larger of what a poll adds for a while. */
static size_t all_included(const bench_t *b, const transient_t *t) {
  size_t peak = t->save_peak > t->gauges_peak ? t->save_peak : t->gauges_peak;
  return b->held - b->start + peak;
}

static double per(size_t bytes, size_t tasks) {
  return tasks ? (double)bytes / (double)tasks : 0;
}

static double load_of(const tasktable_t *tr) {
  return tr->cap ? (double)tr->count / (double)tr->cap : 0.0;
}

static const char *met(double per_task) {
  return per_task <= TARGET_BYTES ? "MET" : "NOT MET";
}

/* ---- one size, in detail ---- */

static void print_held(const bench_t *b) {
  const watch_t *w = &b->w;
  size_t tasks = w->tasks.count, table = tasktable_bytes(&w->tasks);
  printf("  held between polls, heap growth (mallinfo2 uordblks + hblkhd):\n");
  printf("    configuration (conf_add_block):      %9zu B\n",
         b->after_conf - b->start);
  printf("    watch_init (domains, streams):       %9zu B\n",
         b->after_init - b->after_conf);
  printf("    two polls (tasks, lifetime, by id):  %9zu B = %.1f B per task\n",
         b->held - b->after_init, per(b->held - b->after_init, tasks));
  printf("  the structures' own sizes:\n");
  printf("    task table (tasktable_bytes):        %9zu B = %.1f B per task "
         "(%zu slots of %zu B, load %.2f)\n",
         table, per(table, tasks), w->tasks.cap, sizeof(tracked_task_t),
         load_of(&w->tasks));
  printf("    streams (per domain and type):       %9zu B\n",
         w->streams.domains * TASK_TYPE_COUNT * sizeof(plan_cursor_t));
  printf("    lifetime counters (likewise):        %9zu B\n",
         w->lifetime.domains * TASK_TYPE_COUNT * sizeof(lifetime_entry_t));
  printf("    by-id queue:                         %9zu B\n",
         w->by_id.cap * sizeof(*w->by_id.ids));
}

static void print_transient(const bench_t *b, const transient_t *t) {
  size_t tasks = b->w.tasks.count;
  printf("  allocated and freed within a poll, the heap's peak above what is "
         "held:\n");
  printf("    gauges (per domain):                 %9zu B\n", t->gauges_peak);
  printf("    saving the state (statefile_write):  %9zu B = %.1f B per task "
         "(a TaskId index of %zu B and chunks of at most %d B; the file is "
         "%zu B = %.1f B per task)\n",
         t->save_peak, per(t->save_peak, tasks), (tasks + 1) * sizeof(uint64_t),
         STATEFILE_CHUNK_MAX, t->save_len, per(t->save_len, tasks));
}

static double print_one(long n, long domains) {
  bench_t b;
  transient_t t;
  bench_inputs(&b, n, domains);
  bench_fill(&b);
  measure_transient(&b, &t);
  size_t tasks = b.w.tasks.count, all = all_included(&b, &t);
  printf("memory-bench: %ld tasks fed (%ld tracked) over %ld domains, created "
         "over %d s, one account in account mode, Lookback %d\n",
         n, b.tracked, domains, HISTORY - 600, LOOKBACK);
  printf("  tracked tasks: %zu, of them in flight and queued for lookup by "
         "id: %zu\n",
         tasks, b.w.by_id.count);
  print_held(&b);
  print_transient(&b, &t);
  printf("  all included (held + a poll's peak):    %9zu B = %.1f B per task\n",
         all, per(all, tasks));
  printf("  TARGET at most %.0f B per tracked task, all included: %s "
         "(%.1f B)\n",
         TARGET_BYTES, met(per(all, tasks)), per(all, tasks));
  bench_free(&b);
  return per(all, tasks);
}

/* ---- the sweep ---- */

typedef struct {
  long tasks; /* tracked */
  size_t cap;
  double table, all; /* bytes per task */
  char when[16];
} row_t;

static row_t row_of(const bench_t *b, const char *when) {
  transient_t t;
  measure_transient(b, &t);
  const tasktable_t *tr = &b->w.tasks;
  row_t r = {(long)tr->count, tr->cap, per(tasktable_bytes(tr), tr->count),
             per(all_included(b, &t), tr->count), ""};
  snprintf(r.when, sizeof(r.when), "%s", when);
  return r;
}

/* The row after an expiry of about percent % of the tasks, the oldest:
 * in a child process, so that the table stays as it was for the next. */
static row_t expired_row(bench_t *b, int percent) {
  int fds[2];
  fflush(stdout);
  pid_t pid = pipe(fds) == 0 ? fork() : -1;
  if (pid < 0)
    fail("cannot fork");
  if (pid == 0) {
    long drop = b->n * percent / 100;
    time_t oldest_kept = b->created[b->n - drop - 1];
    watch_expire(&b->w, oldest_kept + (NOW - plan_oldest(NOW, LOOKBACK)));
    b->held = heap_in_use();
    char when[16];
    snprintf(when, sizeof(when), "-%d %%", percent);
    row_t r = row_of(b, when);
    _exit(write(fds[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
  }
  close(fds[1]);
  row_t r;
  ssize_t got = read(fds[0], &r, sizeof(r));
  close(fds[0]);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || got != (ssize_t)sizeof(r) ||
      !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail("the expiry's child failed");
  return r;
}

/* The task counts from..to at which the table grows (the first its new
 * capacity holds), by the table's own rule. */
static size_t growth_sizes(long from, long to, long *out, size_t max) {
  size_t found = 0, cap = 0;
  for (long count = 1; count <= to && found < max; count++) {
    size_t next = tasktable_cap_for(cap, (size_t)count);
    if (next != cap && count >= from)
      out[found++] = count;
    cap = next;
  }
  return found;
}

static void print_row(const row_t *r) {
  printf("    %9ld  %-6s  %9zu  %.2f  %12.1f  %19.1f\n", r->tasks, r->when,
         r->cap, r->cap ? (double)r->tasks / (double)r->cap : 0.0, r->table,
         r->all);
}

/* The sweep's worst rows: all included, all included at the requirement's
 * size or more (below it the account's fixed bytes, its 200 domains'
 * streams and counters and the save's chunk, weigh on fewer tasks), and
 * the task table alone. */
typedef struct {
  row_t all, large, table;
} worst_t;

static void keep_worst(const row_t *r, worst_t *worst) {
  print_row(r);
  if (r->all > worst->all.all)
    worst->all = *r;
  if (r->tasks >= DEFAULT_TASKS && r->all > worst->large.all)
    worst->large = *r;
  if (r->table > worst->table.table)
    worst->table = *r;
}

static void sweep_size(long n, long domains, worst_t *worst) {
  static const int percents[] = {10, 30, 60};
  bench_t b;
  bench_inputs(&b, n, domains);
  bench_fill(&b);
  row_t r = row_of(&b, "grown");
  keep_worst(&r, worst);
  for (size_t p = 0; p < sizeof(percents) / sizeof(percents[0]); p++) {
    r = expired_row(&b, percents[p]);
    keep_worst(&r, worst);
  }
  bench_free(&b);
}

static void sweep(long domains, worst_t *worst) {
  long sizes[64];
  size_t count = growth_sizes(SWEEP_FROM, SWEEP_TO, sizes, 64);
  memset(worst, 0, sizeof(*worst));
  printf("memory-bench: the sweep over %ld domains: every size at which the "
         "task table grows, %d to %d tasks, just after it grew, and there "
         "expiries that drop the oldest 10 %%, 30 %%, 60 %%\n",
         domains, SWEEP_FROM, SWEEP_TO);
  printf("        tasks  when        slots  load  table B/task  all included "
         "B/task\n");
  for (size_t i = 0; i < count; i++)
    sweep_size(sizes[i], domains, worst);
  printf("  worst over the sweep, all included: %.1f B per task (%ld tasks, "
         "%s); from %d tasks on: %.1f B per task (%ld tasks, %s)\n",
         worst->all.all, worst->all.tasks, worst->all.when, DEFAULT_TASKS,
         worst->large.all, worst->large.tasks, worst->large.when);
  printf("  worst over the sweep, the task table alone: %.1f B per task (%ld "
         "tasks, %s)\n",
         worst->table.table, worst->table.tasks, worst->table.when);
}

int main(int argc, char **argv) {
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : DEFAULT_TASKS;
  long domains = argc > 2 ? strtol(argv[2], NULL, 10) : 200;
  if (argc > 3 || n < 1 || n > 100000000 || domains < 1 || domains > 10000) {
    fprintf(stderr, "usage: memory-bench [TASKS (1..100000000, default "
                    "300000, then the sweep) [DOMAINS (1..10000, default "
                    "200)]]\n");
    return 2;
  }
  double at_n = print_one(n, domains);
  if (argc > 1)
    return 0;
  worst_t worst;
  sweep(domains, &worst);
  printf("  TARGET at most %.0f B per tracked task, all included: at %ld "
         "tasks %s (%.1f B); over the sweep from %d tasks on %s (%.1f B), "
         "over the whole sweep %s (%.1f B)\n",
         TARGET_BYTES, n, met(at_n), at_n, DEFAULT_TASKS, met(worst.large.all),
         worst.large.all, met(worst.all.all), worst.all.all);
  return 0;
}
