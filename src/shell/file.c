#include "shell/file.h"

#include "core/strbuf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

char *file_read_text(const char *path, size_t max_size, char *why,
                     size_t why_size) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    int error = errno; /* callers tell a missing file by ENOENT */
    snprintf(why, why_size, "%s", strerror(error));
    errno = error;
    return NULL;
  }
  strbuf_t sb = STRBUF_INIT;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && sb.len <= max_size)
    strbuf_append_len(&sb, buf, n);
  bool bad = ferror(f) || sb.len > max_size ||
             memchr(sb.data ? sb.data : "", '\0', sb.len) != NULL;
  fclose(f);
  if (bad || strbuf_str(&sb) == NULL) {
    snprintf(why, why_size, "unreadable, larger than %zu bytes or binary",
             max_size);
    strbuf_free(&sb);
    errno = EINVAL;
    return NULL;
  }
  return strbuf_take(&sb);
}

char *file_read_text_nofollow(const char *path, size_t max_size, char *why,
                              size_t why_size) {
  return file_read_text(path, max_size, why, why_size);
}
