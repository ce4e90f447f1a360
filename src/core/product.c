#include "core/product.h"

#include "core/ascii.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

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

const product_t products[PRODUCT_COUNT] = {
    [PRODUCT_DCDN] = {"dcdn", "DCDN", "2018-01-15", "https://dcdn.aliyuncs.com",
                      "DescribeDcdnRefreshTasks", "DescribeDcdnRefreshTaskById",
                      "DescribeDcdnRefreshQuota", 50, "Task", dcdn_quota,
                      N_OF(dcdn_quota), "contrib/ram-policy.json"},
    [PRODUCT_CDN] = {"cdn", "CDN", "2018-05-10", "https://cdn.aliyuncs.com",
                     "DescribeRefreshTasks", "DescribeRefreshTaskById",
                     "DescribeRefreshQuota", 100, "CDNTask", cdn_quota,
                     N_OF(cdn_quota), "contrib/ram-policy-cdn.json"},
};

const char *const product_names[PRODUCT_COUNT + 1] = {"dcdn", "cdn", NULL};

const product_t *product_find(const char *name) {
  for (size_t i = 0; i < PRODUCT_COUNT; i++)
    if (ascii_strcasecmp(name, products[i].name) == 0)
      return &products[i];
  return NULL;
}
