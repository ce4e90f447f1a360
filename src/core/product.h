/* The Alibaba Cloud edge products the plugin watches, one row each of
 * products[]: whatever differs between them (actions, version, endpoint,
 * page size, how a query names its domain and type, answer members, quota
 * kinds, RAM prefix) is data here, so that a product is a row, not a code
 * path. The poll, the planner and the parser read the row of the
 * account's Product. */
#ifndef DCDN_PRODUCT_H
#define DCDN_PRODUCT_H

#include "core/params.h"
#include "core/task.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { PRODUCT_DCDN, PRODUCT_CDN, PRODUCT_ESA, PRODUCT_COUNT } product_id_t;

/* One quota member pair of the quota answer: "UrlRemain" -> kind "url".
 * ESA's answer names no kind ("Quota", "Usage"): its prefix and kind are
 * "", and the kind is the purge type the call asked for. */
typedef struct {
  const char *prefix; /* of the JSON member, matched in any case */
  const char *kind;   /* in the metric's type instance */
} product_quota_kind_t;

typedef struct {
  /* The Product option's value, collectd's plugin field (a host watching
   * two products never mixes them) and the RAM action prefix. */
  const char *name;
  const char *label;    /* in notification texts: "DCDN", "CDN", "ESA" */
  const char *version;  /* the API version */
  const char *endpoint; /* the default Endpoint */
  /* With a Region: the Endpoint, "%s" being the region (NULL: the product
   * has one endpoint and no Region option). */
  const char *regional_endpoint;
  const char *list_action;
  const char *byid_action;    /* NULL: tasks cannot be looked up by id */
  const char *preload_action; /* NULL: the list action with the type */
  const char *quota_action;
  /* NULL: the list call names a domain. Else tasks belong to sites, found
   * with this action (ListSites): the list call names the site. */
  const char *sites_action;
  bool account_list; /* the list call may leave the domain out */
  int page_size;     /* the list's largest PageSize */
  /* How a per-domain query names its stream: DomainName + ObjectType, or
   * SiteId + Type. */
  const char *pair_param;
  const char *type_param;
  /* The product's object types, and each one's value of type_param
   * ("" for preload when preload_action lists it without a type). */
  unsigned types;
  const char *type_api[TASK_TYPE_COUNT];
  /* Types whose tasks' content names no host (cache tags): they count for
   * their site's own name. */
  unsigned hostless_types;
  /* The list answer: Tasks.<wrapper>[], or a flat Tasks[] when NULL; and
   * the members of a task that differ between products. */
  const char *task_wrapper;
  const char *path_member;
  const char *type_member;
  const char *created_member;
  /* Its time may also be "yyyy-MM-dd HH:mm:ss", no zone (UTC): ESA's
   * DescribePreloadTasks. */
  bool spaced_times;
  const product_quota_kind_t *quota_kinds;
  size_t quota_kind_count;
  /* The quota is asked for per site and purge type (SiteId, Type), and
   * answered as a total and what was used: ESA. */
  bool quota_by_type;
  const char *ram_policy; /* the least-privilege policy shipped */
} product_t;

extern const product_t products[PRODUCT_COUNT];

/* The row of a Product value ("dcdn", "cdn", "esa", any case), or NULL. */
const product_t *product_find(const char *name);
/* The Product values, NULL-terminated, in the order of product_id_t. */
extern const char *const product_names[PRODUCT_COUNT + 1];

bool product_has_type(const product_t *p, unsigned type);
/* "file, directory, regex, preload": the product's types, for messages. */
void product_type_list(const product_t *p, char *out, size_t out_size);
/* The list action of one (domain, type) stream, and the parameters that
 * name the stream: DomainName and ObjectType, or SiteId and Type (none
 * for ESA's preloads, which have an action of their own). Returns the
 * action, or NULL when out of memory or the type is not the product's. */
/* The action that lists a (domain, type) stream. */
const char *product_pair_action(const product_t *p, unsigned type);
const char *product_pair_query(const product_t *p, const char *domain,
                               uint64_t site_id, unsigned type,
                               params_t *out);

#endif
