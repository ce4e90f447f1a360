#include "unit.h"

#include <stdlib.h>

int unit_main(const char *name, const TTest *const *tests, size_t count,
              const unit_case_t *c) {
  static const unit_case_t defaults = {0};
  if (c == NULL)
    c = &defaults;
  Suite *suite = suite_create(name);
  TCase *tc = tcase_create(name);
  suite_add_tcase(suite, tc);
  if (c->setup != NULL || c->teardown != NULL)
    tcase_add_checked_fixture(tc, c->setup, c->teardown);
  if (c->timeout > 0)
    tcase_set_timeout(tc, c->timeout);
  for (size_t i = 0; i < count; i++)
    tcase_add_test(tc, tests[i]);
  if (c->extend != NULL)
    c->extend(suite, tc);
  return unit_run(suite);
}

int unit_run(Suite *suite) {
  SRunner *runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
