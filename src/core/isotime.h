/* The API's time format, yyyy-MM-ddTHH:mm:ssZ in UTC, both ways. */
#ifndef DCDN_ISOTIME_H
#define DCDN_ISOTIME_H

#include <time.h>

#define ISOTIME_LEN 21 /* "2017-01-01T12:12:20Z" plus NUL */

void isotime_format(time_t t, char out[ISOTIME_LEN]);
/* Strict: exactly the API's format. Returns 0, or -1 on anything else. */
int isotime_parse(const char *s, time_t *out);
/* The same, or with a fraction of a second before the Z, as ISO 8601
 * allows ("...T10:00:00.123Z"): dropped (not rounded), for the API counts
 * whole seconds. For a task's CreationTime. */
int isotime_parse_fraction(const char *s, time_t *out);
/* Any of those, or "yyyy-MM-dd HH:mm:ss" with no zone, taken as UTC (ESA's
 * DescribePreloadTasks writes CreateTime so). For a task's creation. */
int isotime_parse_task(const char *s, time_t *out);

#endif
