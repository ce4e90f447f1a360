/* Endpoint and MetadataEndpoint: URLs of one host, checked and split. The
 * parser itself, conf_parse_endpoint, is public (conf.h). */
#ifndef DCDN_CONF_URL_H
#define DCDN_CONF_URL_H

#include "core/conf_value.h"

/* Endpoint's rule: field (the account's endpoint) becomes the URL without
 * its slash, and endpoint_host and endpoint_tls are derived from it. */
int conf_rule_endpoint(conf_ctx_t *ctx, const oconfig_item_t *item,
                       void *field);

/* MetadataEndpoint's rule: field (a char *) checked, without its slash. */
int conf_rule_metadata_endpoint(conf_ctx_t *ctx, const oconfig_item_t *item,
                                void *field);

/* Once the account is read: a warning when its requests go unencrypted. */
void conf_warn_plain_http(conf_ctx_t *ctx);

#endif
