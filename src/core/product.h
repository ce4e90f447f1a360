/* The Alibaba Cloud edge products the plugin watches, one row each of
 * products[]: whatever differs between them (actions, version, endpoint,
 * page size, answer members, quota kinds, RAM prefix) is data here, so
 * that a product is a row, not a code path. The poll, the planner and the
 * parser read the row of the account's Product. */
#ifndef DCDN_PRODUCT_H
#define DCDN_PRODUCT_H

#include <stddef.h>

typedef enum { PRODUCT_DCDN, PRODUCT_CDN, PRODUCT_COUNT } product_id_t;

/* One *Quota / *Remain member pair of the quota answer: "UrlRemain" ->
 * kind "url". */
typedef struct {
  const char *prefix; /* of the JSON member, matched in any case */
  const char *kind;   /* in the metric's type instance */
} product_quota_kind_t;

typedef struct {
  /* The Product option's value, collectd's plugin field (a host watching
   * two products never mixes them) and the RAM action prefix. */
  const char *name;
  const char *label;    /* in notification texts: "DCDN", "CDN" */
  const char *version;  /* the API version */
  const char *endpoint; /* the default Endpoint */
  const char *list_action;
  const char *byid_action;
  const char *quota_action;
  int page_size;            /* the list's largest PageSize */
  const char *task_wrapper; /* the list answer's Tasks.<wrapper>[] */
  const product_quota_kind_t *quota_kinds;
  size_t quota_kind_count;
  const char *ram_policy; /* the least-privilege policy shipped */
} product_t;

extern const product_t products[PRODUCT_COUNT];

/* The row of a Product value ("dcdn", "cdn", any case), or NULL. */
const product_t *product_find(const char *name);
/* The Product values, NULL-terminated, in the order of product_id_t. */
extern const char *const product_names[PRODUCT_COUNT + 1];

#endif
