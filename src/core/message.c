#include "core/message.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/strbuf.h"

#define MESSAGE_ELLIPSIS_LEN (sizeof(MESSAGE_ELLIPSIS) - 1)

static size_t message_min(size_t a, size_t b) { return a < b ? a : b; }

/* The first character boundary at or after byte i of s. */
static size_t message_boundary_after(const char *s, size_t i) {
  while (s[i] != '\0' && ((unsigned char)s[i] & 0xC0) == 0x80)
    i++;
  return i;
}

size_t message_shorten_middle(const char *s, size_t max, char *out,
                              size_t out_size) {
  size_t len = strlen(s);
  max = message_min(max, out_size - 1);
  if (len <= max) {
    memcpy(out, s, len + 1);
    return len;
  }
  if (max < MESSAGE_ELLIPSIS_LEN) {
    out[0] = '\0';
    return 0;
  }
  /* The start names the site, the end the file: keep as much of each. */
  size_t keep = max - MESSAGE_ELLIPSIS_LEN;
  size_t front = strbuf_utf8_fit(s, keep - keep / 2);
  size_t back = message_boundary_after(s, len - keep / 2);
  size_t n = 0;
  memcpy(out, s, front);
  n += front;
  memcpy(out + n, MESSAGE_ELLIPSIS, MESSAGE_ELLIPSIS_LEN);
  n += MESSAGE_ELLIPSIS_LEN;
  memcpy(out + n, s + back, len - back + 1);
  return n + len - back;
}

/* What of a text is kept in max bytes: its first kept bytes, then
 * MESSAGE_ELLIPSIS when marked (when there is room for it). */
typedef struct {
  size_t kept;
  bool marked;
} message_cut_t;

static message_cut_t message_cut_end(const char *s, size_t max) {
  size_t len = strlen(s);
  if (len <= max)
    return (message_cut_t){len, false};
  bool marked = max >= MESSAGE_ELLIPSIS_LEN;
  return (message_cut_t){
      strbuf_utf8_fit(s, marked ? max - MESSAGE_ELLIPSIS_LEN : max), marked};
}

static size_t message_cut_len(message_cut_t cut) {
  return cut.kept + (cut.marked ? MESSAGE_ELLIPSIS_LEN : 0);
}

static size_t message_put(char *out, const char *s, message_cut_t cut) {
  memcpy(out, s, cut.kept);
  if (cut.marked)
    memcpy(out + cut.kept, MESSAGE_ELLIPSIS, MESSAGE_ELLIPSIS_LEN);
  out[message_cut_len(cut)] = '\0';
  return message_cut_len(cut);
}

void message_fit(char *out, size_t size, const char *head, const char *path,
                 const char *tail) {
  size_t budget = size - 1;
  message_cut_t h = message_cut_end(head, budget);
  /* The tail (the reason) goes before the path, which may shrink to an
   * ellipsis first. */
  size_t room = budget - message_cut_len(h);
  size_t path_min = message_min(strlen(path), MESSAGE_ELLIPSIS_LEN);
  message_cut_t t =
      message_cut_end(tail, room > path_min ? room - path_min : 0);
  size_t n = message_put(out, head, h);
  n += message_shorten_middle(path, budget - n - message_cut_len(t), out + n,
                              size - n);
  message_put(out + n, tail, t);
}

/* head, path and tail of a message, made printable; NULL parts after an
 * allocation failure. */
typedef struct {
  strbuf_t head, path, tail;
} message_parts_t;

static void message_write(message_parts_t *p, char *out, size_t size) {
  const char *head = strbuf_str(&p->head), *path = strbuf_str(&p->path),
             *tail = strbuf_str(&p->tail);
  if (head && path && tail)
    message_fit(out, size, head, path, tail);
  else
    snprintf(out, size, "%s", "DCDN notification: out of memory");
  strbuf_free(&p->head);
  strbuf_free(&p->path);
  strbuf_free(&p->tail);
}

static void message_task_tail(message_task_kind_t kind, const message_task_t *t,
                              strbuf_t *tail) {
  if (kind == MESSAGE_TASK_FAILED) {
    strbuf_append(tail, ") failed: ");
    strbuf_append_printable(tail, t->reason[0] ? t->reason : "no reason given",
                            SIZE_MAX);
  } else if (kind == MESSAGE_TASK_STUCK) {
    strbuf_printf(tail, ") has been %s for %ld s, longer than StuckAfter %d s",
                  t->status, t->age, t->stuck_after);
  } else {
    strbuf_printf(tail, ") completed after %ld s", t->age);
  }
}

void message_task(message_task_kind_t kind, const message_task_t *task,
                  char *out, size_t size) {
  message_parts_t p = {STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
  strbuf_printf(&p.head, "%s %s task ", task->product ? task->product : "DCDN",
                task->type);
  strbuf_append_printable(&p.head, task->task_id, SIZE_MAX);
  strbuf_append(&p.head, " (");
  strbuf_append_printable(&p.path, task->object_path, SIZE_MAX);
  message_task_tail(kind, task, &p.tail);
  message_write(&p, out, size);
}

void message_account(const char *product, const char *account,
                     const char *why, char *out, size_t size) {
  message_parts_t p = {STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
  strbuf_printf(&p.head, "%s account \"", product ? product : "DCDN");
  strbuf_append_printable(&p.head, account, SIZE_MAX);
  if (why != NULL) {
    strbuf_append(&p.head, "\": API calls fail and need attention: ");
    strbuf_append_printable(&p.tail, why, SIZE_MAX);
  } else {
    strbuf_append(&p.head, "\": API calls succeed again");
  }
  message_write(&p, out, size);
}
