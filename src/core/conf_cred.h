/* The credential options: exactly one source per account. */
#ifndef DCDN_CONF_CRED_H
#define DCDN_CONF_CRED_H

#include "core/conf_value.h"

/* RamRole's rule: RamRole "name", or RamRole true to ask the metadata
 * service (field, a char *, becomes ""), or false for none. */
int conf_rule_ram_role(conf_ctx_t *ctx, const oconfig_item_t *item,
                       void *field);

/* Once the account is read: sets cred_source, or fails when two sources
 * are configured or AccessKeyId / SecurityToken is where it means nothing. */
int conf_credential_source(conf_ctx_t *ctx);

#endif
