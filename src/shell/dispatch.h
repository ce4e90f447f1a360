/* A poll's values -> collectd's pipeline, in the read callback. */
#ifndef DCDN_DISPATCH_H
#define DCDN_DISPATCH_H

#include "collectd.h"

#include "core/report.h"

/* Sends every value of r with the time of the poll that produced it and
 * the account's interval. */
void dispatch_report(const report_t *r, cdtime_t time, cdtime_t interval);

#endif
