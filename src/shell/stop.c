#include "shell/stop.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

/* Set by the signal handler and by stop_request, read by every account's
 * thread: a lock-free atomic is safe in both places. */
static atomic_int stop_flag;
static struct sigaction stop_previous_term, stop_previous_int;

static void stop_chain(int sig, const struct sigaction *previous) {
  if (previous->sa_handler != SIG_IGN && previous->sa_handler != SIG_DFL)
    previous->sa_handler(sig);
  else if (previous->sa_handler == SIG_DFL) {
    /* No handler of collectd's: keep the default meaning. */
    signal(sig, SIG_DFL);
    raise(sig);
  }
}

static void stop_on_signal(int sig) {
  atomic_store(&stop_flag, 1);
  stop_chain(sig, sig == SIGTERM ? &stop_previous_term : &stop_previous_int);
}

static void stop_install(int sig, struct sigaction *previous) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = stop_on_signal;
  if (sigaction(sig, NULL, previous) != 0 || (previous->sa_flags & SA_SIGINFO))
    return; /* a handler we cannot chain to: leave it alone */
  sigaction(sig, &sa, NULL);
}

void stop_watch_signals(void) {
  static bool installed;
  if (installed)
    return;
  installed = true;
  stop_install(SIGTERM, &stop_previous_term);
  stop_install(SIGINT, &stop_previous_int);
}

bool stop_requested(void) { return atomic_load(&stop_flag) != 0; }

void stop_request(void) { atomic_store(&stop_flag, 1); }
