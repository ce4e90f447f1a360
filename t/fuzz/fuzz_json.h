/* The property both JSON targets check: yajl_tree_parse never builds (and
 * yajl_tree_free never recursively frees) a tree deeper than
 * RESP_MAX_DEPTH, whatever the body holds, comments included. */
#ifndef DCDN_FUZZ_JSON_H
#define DCDN_FUZZ_JSON_H

#include "core/resp.h"

#include <string.h>

#include <yajl/yajl_tree.h>

static int fuzz_depth(yajl_val v) {
  int deepest = 0;
  size_t n = 0;
  yajl_val *values = NULL;
  if (YAJL_IS_OBJECT(v)) {
    n = YAJL_GET_OBJECT(v)->len;
    values = YAJL_GET_OBJECT(v)->values;
  } else if (YAJL_IS_ARRAY(v)) {
    n = YAJL_GET_ARRAY(v)->len;
    values = YAJL_GET_ARRAY(v)->values;
  } else {
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    int d = fuzz_depth(values[i]);
    if (d > deepest)
      deepest = d;
  }
  return deepest + 1;
}

/* Whether yajl (as resp.c calls it) builds a tree deeper than allowed.
 * Only asked of inputs small enough for this check's own recursion (and
 * yajl_tree_free's) to be safe: libFuzzer's inputs are (-max_len 4096). */
static int fuzz_too_deep_for_yajl(const char *body) {
  char errbuf[128];
  if (strlen(body) > 16384)
    return 0;
  yajl_val root = yajl_tree_parse(body, errbuf, sizeof(errbuf));
  if (root == NULL)
    return 0;
  int deep = fuzz_depth(root) > RESP_MAX_DEPTH;
  yajl_tree_free(root);
  return deep;
}

#endif
