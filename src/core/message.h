/* Notification messages, fitted into what collectd keeps of them: cut on
 * character boundaries, the object path shortened in its middle, so that
 * a message always ends with its reason or age. Pure. */
#ifndef DCDN_MESSAGE_H
#define DCDN_MESSAGE_H

#include <stddef.h>

/* collectd's NOTIF_MAX_MSG_LEN: a notification's message, NUL included. */
#define MESSAGE_SIZE 256
/* Put where text was left out: U+2026 HORIZONTAL ELLIPSIS. */
#define MESSAGE_ELLIPSIS "\xe2\x80\xa6"

/* Writes s into out (out_size bytes, NUL included) as at most
 * max bytes: whole if it fits, else its start and its end around
 * MESSAGE_ELLIPSIS ("http://exa…/c.js"), cut between UTF-8 characters
 * ("" when not even the ellipsis fits). s is valid UTF-8. Returns the
 * bytes written, NUL excluded. */
size_t message_shorten_middle(const char *s, size_t max, char *out,
                              size_t out_size);

/* head, path and tail into out (size bytes, NUL included): all of them if
 * they fit; else the path shortened in its middle (down to
 * MESSAGE_ELLIPSIS), then the tail cut at its end (marked with
 * MESSAGE_ELLIPSIS), then the head, always between UTF-8 characters. The
 * parts are valid UTF-8. */
void message_fit(char *out, size_t size, const char *head, const char *path,
                 const char *tail);

typedef enum {
  MESSAGE_TASK_FAILED,   /* "... failed: <reason>" */
  MESSAGE_TASK_STUCK,    /* "... has been <status> for <age> s, ..." */
  MESSAGE_TASK_COMPLETED /* "... completed after <age> s" */
} message_task_kind_t;

/* What a task message says; the strings may come from the network (they
 * are made printable here). */
typedef struct {
  const char *product; /* "CDN": its label; NULL: "DCDN" */
  const char *type;    /* "file" */
  const char *task_id;
  const char *object_path;
  const char *status; /* "refreshing" */
  const char *reason; /* the failure's Description; "" when none */
  long age;           /* seconds since the task was created */
  int stuck_after;    /* seconds */
} message_task_t;

/* "DCDN file task 123 (http://example.com/a.js) failed: OriginTimeout"
 * and the like, into out (size bytes, e.g. MESSAGE_SIZE). */
void message_task(message_task_kind_t kind, const message_task_t *task,
                  char *out, size_t size);

/* 'DCDN account "prod": API calls fail and need attention: <why>', or with
 * why NULL 'DCDN account "prod": API calls succeed again'; product is the
 * label ("CDN"), NULL for "DCDN". */
void message_account(const char *product, const char *account,
                     const char *why, char *out, size_t size);

#endif
