/* Response bodies: DescribeDcdnRefreshTasks / ...ById pages and
 * DescribeDcdnRefreshQuota, as the API (or anything posing as it) sends
 * them. Besides memory errors, checks what resp.h promises: a parsed task
 * is complete, a refusal says why, and JSON deeper than RESP_MAX_DEPTH is
 * refused before yajl builds (and recursively frees) a tree of it. */
#include "core/resp.h"

#include "fuzz.h"
#include "fuzz_json.h"

static void fuzz_check_status(resp_status_t st, const resp_error_t *err,
                              const char *why, int too_deep) {
  FUZZ_CHECK(st == RESP_OK || st == RESP_API_ERROR || st == RESP_MALFORMED);
  if (st == RESP_MALFORMED)
    FUZZ_CHECK(why[0] != '\0');
  if (st != RESP_API_ERROR)
    FUZZ_CHECK(err->code == NULL && err->message == NULL &&
               err->request_id == NULL);
  if (too_deep)
    FUZZ_CHECK(st == RESP_MALFORMED && strstr(why, "too deeply") != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *body = fuzz_text(data, size);
  int too_deep = fuzz_too_deep_for_yajl(body);
  char why[256];
  resp_error_t err;

  resp_page_t page;
  why[0] = '\0';
  resp_status_t st = resp_parse_tasks(&products[PRODUCT_DCDN], body, &page, &err, why, sizeof(why));
  fuzz_check_status(st, &err, why, too_deep);
  FUZZ_CHECK(memchr(why, '\0', sizeof(why)) != NULL);
  if (st == RESP_OK) {
    FUZZ_CHECK(page.total_count >= 0 && page.page_number >= 0 &&
               page.page_size >= 0);
    for (size_t i = 0; i < page.count; i++) {
      const task_t *t = &page.tasks[i];
      FUZZ_CHECK(t->task_id != NULL && t->object_path != NULL &&
                 t->description != NULL);
      FUZZ_CHECK(t->type <= TASK_TYPE_UNKNOWN &&
                 t->status <= TASK_STATUS_UNKNOWN);
      FUZZ_CHECK((t->type == TASK_TYPE_UNKNOWN) == (t->unknown_type != NULL));
      FUZZ_CHECK((t->status == TASK_STATUS_UNKNOWN) ==
                 (t->unknown_status != NULL));
      FUZZ_CHECK(t->progress >= 0.0 && t->progress <= 100.0);
      FUZZ_CHECK(t->created >= 0);
    }
  }
  resp_page_free(&page);
  resp_error_free(&err);

  resp_quota_t quota;
  why[0] = '\0';
  st = resp_parse_quota(&products[PRODUCT_DCDN], body, &quota, &err, why, sizeof(why));
  fuzz_check_status(st, &err, why, too_deep);
  FUZZ_CHECK(quota.count <= RESP_MAX_QUOTAS);
  if (st == RESP_OK) {
    FUZZ_CHECK(quota.count > 0);
    for (size_t i = 0; i < quota.count; i++) {
      const resp_quota_item_t *q = &quota.items[i];
      FUZZ_CHECK(memchr(q->kind, '\0', sizeof(q->kind)) != NULL);
      FUZZ_CHECK(q->kind[0] != '\0' && q->value >= 0);
    }
  }
  resp_error_free(&err);

  free(body);
  return 0;
}
