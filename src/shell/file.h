/* Small text files: state, secrets, credentials. */
#ifndef DCDN_FILE_H
#define DCDN_FILE_H

#include <stddef.h>

/* The whole file as a NUL-terminated string, or NULL with why (too large,
 * binary or unreadable) and errno set (ENOENT: there is no such file). */
char *file_read_text(const char *path, size_t max_size, char *why,
                     size_t why_size);

/* The same, refusing a symbolic link (O_NOFOLLOW): for the state file. */
char *file_read_text_nofollow(const char *path, size_t max_size, char *why,
                              size_t why_size);

#endif
