/* Domain "name" ... and <Domain "name"> blocks: host-name rules, one
 * account per domain, the object types each reports. */
#ifndef DCDN_CONF_DOMAIN_H
#define DCDN_CONF_DOMAIN_H

#include "core/conf_value.h"

/* Domain's rule: the names of Domain "a" "b", or one <Domain "a"> block
 * and the options inside it (read by the table). field is unused. */
int conf_rule_domain(conf_ctx_t *ctx, const oconfig_item_t *item, void *field);

/* ObjectType's rule: the reported types' bits (1 << task_type_t) in field,
 * an unsigned. */
int conf_rule_object_type(conf_ctx_t *ctx, const oconfig_item_t *item,
                          void *field);

/* Once the account is read: at least one domain, sorted for
 * conf_find_domain, and "*" only where it can be served. */
int conf_domains_finish(conf_ctx_t *ctx);

#endif
