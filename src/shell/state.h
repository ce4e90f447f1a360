/* An account's state file under StateDir: the directory checked and the
 * file locked at init, the file loaded, and replaced atomically (a new
 * temporary file, fsync, rename) after each poll. */
#ifndef DCDN_STATE_H
#define DCDN_STATE_H

#include "shell/account.h"

/* Refuses a StateDir that another user could write into (one error naming
 * it, its owner and mode), creating it 0700 when missing; then takes the
 * account's lock, or, when another process holds it (collectd -T beside
 * the daemon), makes the account read-only with one info line. Returns 0,
 * or -1 when the account must not start. */
int state_open(account_t *account);
/* A read-only account tries the lock again (at each poll): once the other
 * process let it go, the account loads the state that process saved and
 * writes and notifies from then on. */
void state_retake(account_t *account);
/* A truncated or corrupted file: one warning; a missing one, or one of
 * another version, Endpoint or key: one info line. Either way the account
 * then starts afresh. */
void state_load(account_t *account);
/* Nothing is written by a read-only account. */
void state_save(account_t *account);

#endif
