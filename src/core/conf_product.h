/* Product, Region and SiteId, and what a product allows of the other
 * options (its object types, QueryMode, Domain "*"): the rules read the
 * account's row of products[]. */
#ifndef DCDN_CONF_PRODUCT_H
#define DCDN_CONF_PRODUCT_H

#include "core/conf_value.h"

/* Product "dcdn"|"cdn"|"esa": field is a product_id_t. */
int conf_rule_product(conf_ctx_t *ctx, const oconfig_item_t *item,
                      void *field);
/* Region: letters, digits and '-' ("ap-southeast-1"). */
int conf_rule_region(conf_ctx_t *ctx, const oconfig_item_t *item, void *field);
/* SiteId: one whole number above 0, written as a number or a string of
 * digits (ids past 2^53 only as strings): field is a uint64_t. */
int conf_rule_site_id(conf_ctx_t *ctx, const oconfig_item_t *item,
                      void *field);

/* Once the account is read: its Endpoint (the product's, or the
 * Region's), and every option the product does not allow refused. */
int conf_product_finish(conf_ctx_t *ctx);

#endif
