/* Whether collectd is shutting down. collectd joins the read threads
 * before any shutdown callback runs, and the accounts' own threads are
 * joined when their read callbacks are freed, so a poll in the middle of a
 * slow request would hold shutdown up: the plugin watches SIGTERM and
 * SIGINT itself (passing them on to collectd's own handlers) and stops
 * sending, waiting and retrying at once. */
#ifndef DCDN_STOP_H
#define DCDN_STOP_H

#include <stdbool.h>

void stop_watch_signals(void);
bool stop_requested(void);
/* Stops every account's requests and waits, as the signal does: for the
 * shutdown that comes without one (collectd -T, a failed init). */
void stop_request(void);

#endif
