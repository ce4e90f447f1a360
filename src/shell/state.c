#include "dcdn_config.h"

#include "collectd.h"

#include "shell/state.h"

#include "core/statefile.h"
#include "shell/file.h"
#include "shell/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* A file that large is not ours (a table of 24-byte tasks in text). */
#define STATE_MAX_FILE_SIZE (256 * 1024 * 1024)

static void state_path(const account_t *a, char *out, size_t size,
                       const char *suffix) {
  snprintf(out, size, "%s/%s.state%s", a->conf.state_dir, a->conf.name, suffix);
}

/* Whether a directory is safe to write root's files into: a user who can
 * write it could plant links there or swap the files. */
static int state_check_dir(const char *dir, char *why, size_t why_size) {
  struct stat st;
  if (lstat(dir, &st) != 0 && errno == ENOENT && mkdir(dir, 0700) != 0 &&
      errno != EEXIST) {
    snprintf(why, why_size, "cannot create it: %s", strerror(errno));
    return -1;
  }
  if (lstat(dir, &st) != 0) {
    snprintf(why, why_size, "%s", strerror(errno));
    return -1;
  }
  if (!S_ISDIR(st.st_mode))
    snprintf(why, why_size, "it is not a directory (a link is refused too)");
  else if (st.st_uid != geteuid())
    snprintf(why, why_size,
             "owned by uid %ld, not by collectd's user (uid %ld), mode %04o",
             (long)st.st_uid, (long)geteuid(), (unsigned)(st.st_mode & 07777));
  else if (st.st_mode & (S_IWGRP | S_IWOTH))
    snprintf(why, why_size,
             "writable by other users (owner uid %ld, mode %04o): chmod 700 "
             "it",
             (long)st.st_uid, (unsigned)(st.st_mode & 07777));
  else
    return 0;
  return -1;
}

/* One process at a time writes an account's state: the daemon. Returns
 * whether this one holds the lock now. */
static bool state_lock(account_t *a, const char *path) {
  a->lock_fd =
      open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
  if (a->lock_fd >= 0 && flock(a->lock_fd, LOCK_EX | LOCK_NB) == 0)
    return true;
  if (a->lock_fd >= 0)
    close(a->lock_fd);
  a->lock_fd = -1;
  return false;
}

/* The temporary files of saves that a killed process left (mkstemp's
 * names: this process never opens them again), removed by the lock's
 * holder alone: no other process saves this account's state. */
static void state_sweep(const account_t *a) {
  char base[PATH_MAX];
  snprintf(base, sizeof(base), "%s.state", a->conf.name);
  DIR *dir = opendir(a->conf.state_dir);
  if (dir == NULL)
    return;
  unsigned removed = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL) {
    struct stat st;
    if (statefile_is_leftover(e->d_name, base) &&
        fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
        unlinkat(dirfd(dir), e->d_name, 0) == 0)
      removed++;
  }
  closedir(dir);
  if (removed > 0)
    DCDN_INFO("account \"%s\": removed %u temporary file(s) %s/%s.XXXXXX "
              "that an interrupted save left",
              a->conf.name, removed, a->conf.state_dir, base);
}

void state_retake(account_t *a) {
  char path[PATH_MAX];
  state_path(a, path, sizeof(path), ".lock");
  if (!a->read_only || !state_lock(a, path))
    return;
  /* The other process (collectd -T, or a daemon that stopped) let it go:
   * what it saved and notified is taken back before this one goes on. */
  a->read_only = false;
  state_sweep(a);
  DCDN_INFO("account \"%s\": %s is free again: this process takes the state "
            "over (loaded again), saves it and sends notifications from now on",
            a->conf.name, path);
  state_load(a);
}

int state_open(account_t *a) {
  char why[256];
  if (state_check_dir(a->conf.state_dir, why, sizeof(why)) != 0) {
    DCDN_ERROR("account \"%s\": StateDir \"%s\" refused: %s; the plugin "
               "will not start",
               a->conf.name, a->conf.state_dir, why);
    return -1;
  }
  char path[PATH_MAX];
  state_path(a, path, sizeof(path), ".lock");
  if (!state_lock(a, path)) {
    a->read_only = true;
    DCDN_INFO("account \"%s\": %s is held by another process (the running "
              "daemon, when this is collectd -T): this one polls but neither "
              "saves the state nor sends notifications until it is free",
              a->conf.name, path);
  } else {
    state_sweep(a);
  }
  return 0;
}

/* Takes what the file holds, or nothing of it. */
static void state_adopt(account_t *a, statefile_state_t *st, const char *path) {
  watch_t fresh;
  bool failed = false;
  if (watch_init(&fresh, &a->conf) != 0 ||
      statefile_adopt(st, &fresh, &failed) != 0) {
    watch_free(&fresh);
    DCDN_WARNING("account \"%s\": state file %s: out of memory; starting "
                 "afresh",
                 a->conf.name, path);
    return;
  }
  watch_free(&a->watch);
  a->watch = fresh;
  a->health.failed = failed;
  DCDN_INFO("account \"%s\": state loaded from %s: %zu tasks", a->conf.name,
            path, a->watch.tasks.count);
}

void state_load(account_t *a) {
  char path[PATH_MAX], why[256] = "";
  state_path(a, path, sizeof(path), "");
  char *text =
      file_read_text_nofollow(path, STATE_MAX_FILE_SIZE, why, sizeof(why));
  int error = errno;
  statefile_owner_t owner;
  statefile_owner(&a->conf, &owner);
  statefile_state_t st;
  statefile_status_t status =
      text ? statefile_parse(text, &owner, &st, why, sizeof(why))
           : STATEFILE_BAD;
  if (status == STATEFILE_OK)
    state_adopt(a, &st, path);
  else if (text == NULL && error == ENOENT)
    /* The first start, or a new account: nothing lost. */
    DCDN_INFO("account \"%s\": no state file %s yet; starting afresh",
              a->conf.name, path);
  else if (status == STATEFILE_FOREIGN)
    DCDN_INFO("account \"%s\": state file %s is not this account's history "
              "(%s); starting afresh",
              a->conf.name, path, why);
  else
    DCDN_WARNING("account \"%s\": state file %s: %s; starting afresh",
                 a->conf.name, path, why);
  if (text != NULL)
    statefile_state_free(&st);
  file_text_free(text);
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

/* Hands the next chunk of the state file's text to the temporary file. */
static int state_write_chunk(void *arg, const char *data, size_t len) {
  return state_write_all(*(const int *)arg, data, len);
}

/* A new temporary file (a unique name, created exclusively, so that no
 * planted link is followed), written as the text is made (a chunk at a
 * time, never the whole text in memory), fsync, rename, fsync of the
 * directory: after a crash at any moment the file is the old one or the
 * new one. */
static int state_replace(const account_t *a, char *why, size_t why_size) {
  char path[PATH_MAX], tmp[PATH_MAX];
  state_path(a, path, sizeof(path), "");
  state_path(a, tmp, sizeof(tmp), ".XXXXXX");
  statefile_owner_t owner;
  statefile_owner(&a->conf, &owner);
  int fd = mkstemp(tmp); /* O_EXCL, mode 0600 */
  if (fd >= 0)
    fcntl(fd, F_SETFD, FD_CLOEXEC);
  int status =
      fd < 0 ? -1
             : statefile_write(&owner, &a->watch, a->health.failed,
                               STATEFILE_CHUNK_MAX, state_write_chunk, &fd);
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
    if (fd >= 0)
      unlink(tmp);
  }
  return status;
}

void state_save(account_t *a) {
  if (a->read_only)
    return;
  char why[PATH_MAX + 128];
  int status = state_replace(a, why, sizeof(why));
  if (status != 0 && !a->state_save_failing)
    DCDN_WARNING("account \"%s\": cannot save state: %s; what was notified "
                 "may be notified again after a restart",
                 a->conf.name, why);
  else if (status == 0 && a->state_save_failing)
    DCDN_NOTICE("account \"%s\": state saved again", a->conf.name);
  a->state_save_failing = status != 0;
}
