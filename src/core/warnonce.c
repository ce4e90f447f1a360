#include "core/warnonce.h"

#include <stdio.h>
#include <string.h>

bool warnonce_first(warnonce_t *w, warnonce_kind_t kind, const char *value) {
  if ((unsigned)kind >= WARNONCE_KINDS)
    return false;
  char key[WARNONCE_KEY_LEN];
  snprintf(key, sizeof(key), "%s", value ? value : "");
  for (unsigned i = 0; i < w->count[kind]; i++)
    if (strcmp(w->keys[kind][i], key) == 0)
      return false;
  /* Past the cap, a broken peer would flood the log: stay quiet. */
  if (w->count[kind] == WARNONCE_KEYS)
    return false;
  memcpy(w->keys[kind][w->count[kind]++], key, sizeof(key));
  return true;
}
