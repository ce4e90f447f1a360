/* Small text files: state, secrets, credentials. */
#ifndef DCDN_FILE_H
#define DCDN_FILE_H

#include <stddef.h>

/* The whole file as a NUL-terminated string (free it with file_text_free),
 * or NULL with why and errno set (ENOENT: there is no such file). Only a
 * regular file is read: a FIFO, a device or a directory is refused at once
 * ("not a regular file"), never waited on. So is a file larger than
 * max_size bytes or holding a NUL byte. A symbolic link is followed. */
char *file_read_text(const char *path, size_t max_size, char *why,
                     size_t why_size);
/* The same, refusing a symbolic link as the last part of path ("a symbolic
 * link, not followed"): for a file the plugin itself writes. */
char *file_read_text_nofollow(const char *path, size_t max_size, char *why,
                              size_t why_size);
/* Wipes the text (it may hold a secret) and frees it; NULL is ignored. */
void file_text_free(char *text);

#endif
