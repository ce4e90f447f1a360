/* An account's state file under StateDir: loaded at init, replaced
 * atomically (temporary file, fsync, rename) after each poll. */
#ifndef DCDN_STATE_H
#define DCDN_STATE_H

#include "shell/account.h"

/* A missing, truncated, corrupted or foreign file: one warning, and the
 * account starts afresh. */
void state_load(account_t *account);
void state_save(account_t *account);

#endif
