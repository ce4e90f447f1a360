#include "shell/file.h"

#include "core/cred.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* Returns -1 with errno error and why (reason, else its strerror). */
static int file_fail(int fd, int error, const char *reason, char *why,
                     size_t why_size) {
  snprintf(why, why_size, "%s", reason != NULL ? reason : strerror(error));
  if (fd >= 0)
    close(fd);
  errno = error; /* callers tell a missing file by ENOENT */
  return -1;
}

/* Opens without waiting (a FIFO would block until a writer came, holding
 * init or a read thread forever), accepts a regular file only, then reads
 * with blocking I/O. Returns the descriptor, or -1 with why and errno. */
static int file_open(const char *path, int flags, struct stat *st, char *why,
                     size_t why_size) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | flags);
  if (fd < 0) {
    int error = errno;
    bool link = error == ELOOP && (flags & O_NOFOLLOW);
    return file_fail(fd, error, link ? "a symbolic link, not followed" : NULL,
                     why, why_size);
  }
  if (fstat(fd, st) != 0)
    return file_fail(fd, errno, NULL, why, why_size);
  if (!S_ISREG(st->st_mode))
    return file_fail(fd, EINVAL, "not a regular file", why, why_size);
  int status = fcntl(fd, F_GETFL);
  if (status < 0 || fcntl(fd, F_SETFL, status & ~O_NONBLOCK) != 0)
    return file_fail(fd, errno, NULL, why, why_size);
  return fd;
}

static void file_wipe_free(char *buf, size_t len) {
  if (buf != NULL)
    OPENSSL_cleanse(buf, len);
  free(buf);
}

/* Reads to the end (*len bytes, NUL-terminated), or fails with errno
 * (EFBIG: more than max bytes). The buffer grows without realloc, so that
 * no copy of a secret is left behind unwiped. */
static char *file_read_all(int fd, size_t hint, size_t max, size_t *len) {
  /* Room for one byte more than max, to tell a file that is too large. */
  size_t cap = (hint < max ? hint : max) + 2;
  char *buf = malloc(cap);
  *len = 0;
  while (buf != NULL && *len <= max) {
    if (*len + 1 == cap) {
      size_t next = cap > (max + 2) / 2 ? max + 2 : cap * 2;
      char *grown = cred_wipe_grow(buf, *len, next);
      if (grown == NULL)
        break;
      buf = grown, cap = next;
    }
    ssize_t n = read(fd, buf + *len, cap - 1 - *len);
    if (n == 0) {
      buf[*len] = '\0';
      return buf;
    }
    if (n < 0 && errno != EINTR)
      break;
    *len += n > 0 ? (size_t)n : 0;
  }
  int error = *len > max ? EFBIG : errno;
  file_wipe_free(buf, *len);
  errno = error;
  return NULL;
}

static char *file_read(const char *path, int flags, size_t max, char *why,
                       size_t why_size) {
  struct stat st;
  int fd = file_open(path, flags, &st, why, why_size);
  if (fd < 0)
    return NULL;
  size_t len;
  char *text = file_read_all(fd, (size_t)st.st_size, max, &len);
  int error = errno;
  close(fd);
  if (text == NULL) {
    if (error == EFBIG)
      snprintf(why, why_size, "larger than %zu bytes", max);
    else
      snprintf(why, why_size, "%s", strerror(error));
    errno = error;
    return NULL;
  }
  if (memchr(text, '\0', len) != NULL) {
    snprintf(why, why_size, "binary: it holds a NUL byte");
    file_wipe_free(text, len);
    errno = EINVAL;
    return NULL;
  }
  return text;
}

char *file_read_text(const char *path, size_t max_size, char *why,
                     size_t why_size) {
  return file_read(path, 0, max_size, why, why_size);
}

char *file_read_text_nofollow(const char *path, size_t max_size, char *why,
                              size_t why_size) {
  return file_read(path, O_NOFOLLOW, max_size, why, why_size);
}

void file_text_free(char *text) { cred_wipe_free(text); }
