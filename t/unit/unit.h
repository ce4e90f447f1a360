/* What every unit test program shares. */
#ifndef DCDN_UNIT_H
#define DCDN_UNIT_H

#include <check.h>

/* Runs the suite, prints check's summary line, frees everything and returns
 * the exit status for main. */
int unit_run(Suite *suite);

#endif
