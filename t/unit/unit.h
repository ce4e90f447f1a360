/* What every unit test program shares. */
#ifndef DCDN_UNIT_H
#define DCDN_UNIT_H

#include <check.h>
#include <stddef.h>

/* The number of elements of an array. */
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* How a test program's one test case runs; every member may be left out. */
typedef struct {
  void (*setup)(void); /* the checked fixture, around each test */
  void (*teardown)(void);
  double timeout; /* seconds a test may take; 0 keeps check's default */
  /* Adds what a list of tests cannot hold: loop tests, more test cases. */
  void (*extend)(Suite *suite, TCase *tc);
} unit_case_t;

/* Runs the tests (START_TEST names), in order, as the one test case of a
 * suite, both called name, set up as c says (NULL: the defaults). Prints
 * check's summary line, frees everything and returns main's exit status. */
int unit_main(const char *name, const TTest *const *tests, size_t count,
              const unit_case_t *c);

/* Runs the suite, prints check's summary line, frees everything and returns
 * the exit status for main. */
int unit_run(Suite *suite);

#endif
