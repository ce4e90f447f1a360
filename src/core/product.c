#include "core/product.h"

#include "core/ascii.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define TYPE_BIT(t) (1u << (t))
#define CLASSIC_TYPES                                                          \
  (TYPE_BIT(TASK_TYPE_FILE) | TYPE_BIT(TASK_TYPE_DIRECTORY) |                  \
   TYPE_BIT(TASK_TYPE_REGEX) | TYPE_BIT(TASK_TYPE_PRELOAD))
#define ESA_TYPES                                                              \
  (TYPE_BIT(TASK_TYPE_FILE) | TYPE_BIT(TASK_TYPE_DIRECTORY) |                  \
   TYPE_BIT(TASK_TYPE_PRELOAD) | TYPE_BIT(TASK_TYPE_CACHETAG) |                \
   TYPE_BIT(TASK_TYPE_IGNORE_PARAMS) | TYPE_BIT(TASK_TYPE_HOSTNAME) |          \
   TYPE_BIT(TASK_TYPE_PURGEALL))

/* DescribeDcdnRefreshQuota's documented kinds. */
static const product_quota_kind_t dcdn_quota[] = {
    {"Url", "url"},     {"Dir", "dir"},     {"Preload", "preload"},
    {"Block", "block"}, {"Regex", "regex"}, {"IgnoreParams", "ignore_params"},
};

/* DescribeRefreshQuota's: DCDN's, and the prefetches to L1 nodes. */
static const product_quota_kind_t cdn_quota[] = {
    {"Url", "url"},
    {"Dir", "dir"},
    {"Preload", "preload"},
    {"PreloadEdge", "preload_edge"},
    {"Block", "block"},
    {"Regex", "regex"},
    {"IgnoreParams", "ignore_params"},
};

/* GetPurgeQuota's Quota and Usage, of the type asked for. */
static const product_quota_kind_t esa_quota[] = {{"", ""}};

const product_t products[PRODUCT_COUNT] = {
    [PRODUCT_DCDN] =
        {.name = "dcdn",
         .label = "DCDN",
         .version = "2018-01-15",
         .endpoint = "https://dcdn.aliyuncs.com",
         .list_action = "DescribeDcdnRefreshTasks",
         .byid_action = "DescribeDcdnRefreshTaskById",
         .quota_action = "DescribeDcdnRefreshQuota",
         .account_list = true,
         .page_size = 50,
         .pair_param = "DomainName",
         .type_param = "ObjectType",
         .types = CLASSIC_TYPES,
         .type_api = {"file", "directory", "regex", "preload"},
         .task_wrapper = "Task",
         .path_member = "ObjectPath",
         .type_member = "ObjectType",
         .created_member = "CreationTime",
         .quota_kinds = dcdn_quota,
         .quota_kind_count = N_OF(dcdn_quota),
         .ram_policy = "contrib/ram-policy.json"},
    [PRODUCT_CDN] =
        {.name = "cdn",
         .label = "CDN",
         .version = "2018-05-10",
         .endpoint = "https://cdn.aliyuncs.com",
         .list_action = "DescribeRefreshTasks",
         .byid_action = "DescribeRefreshTaskById",
         .quota_action = "DescribeRefreshQuota",
         .account_list = true,
         .page_size = 100,
         .pair_param = "DomainName",
         .type_param = "ObjectType",
         .types = CLASSIC_TYPES,
         .type_api = {"file", "directory", "regex", "preload"},
         .task_wrapper = "CDNTask",
         .path_member = "ObjectPath",
         .type_member = "ObjectType",
         .created_member = "CreationTime",
         .quota_kinds = cdn_quota,
         .quota_kind_count = N_OF(cdn_quota),
         .ram_policy = "contrib/ram-policy-cdn.json"},
    [PRODUCT_ESA] =
        {.name = "esa",
         .label = "ESA",
         .version = "2024-09-10",
         .endpoint = "https://esa.cn-hangzhou.aliyuncs.com",
         .regional_endpoint = "https://esa.%s.aliyuncs.com",
         .list_action = "DescribePurgeTasks",
         .preload_action = "DescribePreloadTasks",
         .quota_action = "GetPurgeQuota",
         .sites_action = "ListSites",
         .page_size = 50,
         .pair_param = "SiteId",
         .type_param = "Type",
         .types = ESA_TYPES,
         .type_api = {[TASK_TYPE_FILE] = "file",
                      [TASK_TYPE_DIRECTORY] = "directory",
                      [TASK_TYPE_PRELOAD] = "",
                      [TASK_TYPE_CACHETAG] = "cachetag",
                      [TASK_TYPE_IGNORE_PARAMS] = "ignoreParams",
                      [TASK_TYPE_HOSTNAME] = "hostname",
                      [TASK_TYPE_PURGEALL] = "purgeall"},
         .hostless_types = TYPE_BIT(TASK_TYPE_CACHETAG),
         .path_member = "Content",
         .type_member = "Type",
         .created_member = "CreateTime",
         .spaced_times = true,
         .quota_kinds = esa_quota,
         .quota_kind_count = N_OF(esa_quota),
         .quota_by_type = true,
         .ram_policy = "contrib/ram-policy-esa.json"},
};

const char *const product_names[PRODUCT_COUNT + 1] = {"dcdn", "cdn", "esa",
                                                      NULL};

const product_t *product_find(const char *name) {
  for (size_t i = 0; i < PRODUCT_COUNT; i++)
    if (ascii_strcasecmp(name, products[i].name) == 0)
      return &products[i];
  return NULL;
}

bool product_has_type(const product_t *p, unsigned type) {
  return type < TASK_TYPE_COUNT && (p->types & TYPE_BIT(type));
}

void product_type_list(const product_t *p, char *out, size_t out_size) {
  size_t len = 0;
  out[0] = '\0';
  for (unsigned t = 0; t < TASK_TYPE_COUNT && len < out_size; t++)
    if (product_has_type(p, t))
      len += (size_t)snprintf(out + len, out_size - len, "%s%s",
                              len ? ", " : "", task_type_name(t));
}

const char *product_pair_action(const product_t *p, unsigned type) {
  return type == TASK_TYPE_PRELOAD && p->preload_action != NULL
             ? p->preload_action
             : p->list_action;
}

const char *product_pair_query(const product_t *p, const char *domain,
                               uint64_t site_id, unsigned type,
                               params_t *out) {
  if (!product_has_type(p, type))
    return NULL;
  int status;
  if (p->sites_action != NULL) {
    char id[24];
    snprintf(id, sizeof(id), "%" PRIu64, site_id);
    status = params_add(out, p->pair_param, id);
  } else
    status = params_add(out, p->pair_param, domain);
  /* "": listed with no type (ESA's preloads, by their own action). */
  if (p->type_api[type][0] != '\0')
    status |= params_add(out, p->type_param, p->type_api[type]);
  if (status != 0)
    return NULL;
  return product_pair_action(p, type);
}
