/* Which values were already warned about, so that a broken or hostile peer
 * gets one line per value and kind, not one per interval. Bounded: each
 * kind keeps a few short keys (the start of the value), and past its cap
 * only that kind goes quiet. */
#ifndef DCDN_WARNONCE_H
#define DCDN_WARNONCE_H

#include <stdbool.h>

typedef enum {
  WARNONCE_UNKNOWN_TYPE,
  WARNONCE_UNKNOWN_STATUS,
  WARNONCE_BAD_TASK_ID,
  WARNONCE_BAD_HOST,
  WARNONCE_UNREADABLE_FIELD,
  WARNONCE_UNKNOWN_QUOTA,
  WARNONCE_NO_SITE, /* ESA: a domain no site holds */
  WARNONCE_KINDS
} warnonce_kind_t;

#define WARNONCE_KEYS 16    /* per kind */
#define WARNONCE_KEY_LEN 48 /* bytes of a value kept, NUL included */

typedef struct {
  char keys[WARNONCE_KINDS][WARNONCE_KEYS][WARNONCE_KEY_LEN];
  unsigned count[WARNONCE_KINDS];
} warnonce_t;

/* True the first time a value (its first WARNONCE_KEY_LEN - 1 bytes) is
 * seen for the kind, while the kind has room; then remembered. */
bool warnonce_first(warnonce_t *w, warnonce_kind_t kind, const char *value);

#endif
