/* Whether collectd is shutting down. collectd joins the read threads
 * before any shutdown callback runs, so a read callback in the middle of a
 * slow request would hold shutdown up: the plugin watches SIGTERM and
 * SIGINT itself (passing them on to collectd's own handlers) and stops
 * sending, waiting and retrying at once. */
#ifndef DCDN_STOP_H
#define DCDN_STOP_H

#include <stdbool.h>

void stop_watch_signals(void);
bool stop_requested(void);

#endif
