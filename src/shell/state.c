#include "dcdn_config.h"

#include "collectd.h"

#include "shell/state.h"

#include "core/statefile.h"
#include "core/strbuf.h"
#include "shell/file.h"
#include "shell/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A file that large is not ours (a table of 24-byte tasks in text). */
#define STATE_MAX_FILE_SIZE (256 * 1024 * 1024)

static void state_path(const account_t *a, char *out, size_t size,
                       const char *suffix) {
  snprintf(out, size, "%s/%s.state%s", a->conf.state_dir, a->conf.name, suffix);
}

static void state_adopt(account_t *a, statefile_state_t *st) {
  tracker_free(&a->tracker);
  a->tracker = st->tracker;
  ledger_free(&a->ledger);
  a->ledger = st->ledger;
  a->account_cursor.covered_until = st->account_covered;
  a->health.failed = st->health_failed;
  /* The state remembers a switch that QueryMode auto made. */
  bool domain_mode = a->conf.query_mode == CONF_QUERY_DOMAIN ||
                     (a->conf.query_mode == CONF_QUERY_AUTO && st->domain_mode);
  if (domain_mode && account_enter_domain_mode(a) == 0) {
    size_t n = st->domain_cursor_count < a->domain_cursor_count
                   ? st->domain_cursor_count
                   : a->domain_cursor_count;
    for (size_t i = 0; i < n; i++)
      a->domain_cursors[i].covered_until = st->domain_cursors[i].covered_until;
  }
  free(st->domain_cursors);
  memset(st, 0, sizeof(*st));
}

void state_load(account_t *a) {
  char path[PATH_MAX], why[256] = "";
  state_path(a, path, sizeof(path), "");
  char *text = file_read_text(path, STATE_MAX_FILE_SIZE, why, sizeof(why));
  statefile_state_t st;
  if (text != NULL && statefile_parse(text, a->conf.name, &a->domains, &st, why,
                                      sizeof(why)) == 0) {
    DCDN_INFO("account \"%s\": state loaded from %s: %zu tasks", a->conf.name,
              path, st.tracker.count);
    state_adopt(a, &st);
  } else if (text == NULL && errno == ENOENT) {
    /* The first start, or a new account: nothing lost. */
    DCDN_INFO("account \"%s\": no state file %s yet; starting afresh",
              a->conf.name, path);
  } else {
    DCDN_WARNING("account \"%s\": state file %s: %s; starting afresh",
                 a->conf.name, path, why);
    if (text != NULL)
      statefile_state_free(&st);
  }
  free(text);
}

static int state_write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

static int state_sync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd < 0)
    return -1;
  int status = fsync(fd);
  close(fd);
  return status;
}

/* Temporary file, fsync, rename, fsync of the directory: after a crash at
 * any moment the file is the old one or the new one, never a mix. */
static int state_replace(const account_t *a, const strbuf_t *text, char *why,
                         size_t why_size) {
  char path[PATH_MAX], tmp[PATH_MAX];
  state_path(a, path, sizeof(path), "");
  state_path(a, tmp, sizeof(tmp), ".tmp");
  if (mkdir(a->conf.state_dir, 0700) != 0 && errno != EEXIST) {
    snprintf(why, why_size, "cannot create %s: %s", a->conf.state_dir,
             strerror(errno));
    return -1;
  }
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int status = fd < 0 ? -1 : state_write_all(fd, text->data, text->len);
  if (status == 0)
    status = fsync(fd);
  if (fd >= 0 && close(fd) != 0)
    status = -1;
  if (status == 0)
    status = rename(tmp, path);
  if (status == 0)
    status = state_sync_dir(a->conf.state_dir);
  if (status != 0) {
    snprintf(why, why_size, "%s: %s", tmp, strerror(errno));
    unlink(tmp);
  }
  return status;
}

void state_save(account_t *a) {
  statefile_state_t view = {
      .tracker = a->tracker,
      .ledger = a->ledger,
      .account_covered = a->account_cursor.covered_until,
      .domain_mode = a->domain_mode,
      .domain_cursors = a->domain_cursors,
      .domain_cursor_count = a->domain_cursor_count,
      .health_failed = a->health.failed,
  };
  strbuf_t text = STRBUF_INIT;
  char why[PATH_MAX + 128] = "out of memory";
  statefile_format(&text, a->conf.name, &a->domains, &view);
  int status =
      strbuf_str(&text) ? state_replace(a, &text, why, sizeof(why)) : -1;
  strbuf_free(&text);
  if (status != 0 && !a->state_save_failing)
    DCDN_WARNING("account \"%s\": cannot save state: %s; what was notified "
                 "may be notified again after a restart",
                 a->conf.name, why);
  else if (status == 0 && a->state_save_failing)
    DCDN_NOTICE("account \"%s\": state saved again", a->conf.name);
  a->state_save_failing = status != 0;
}
