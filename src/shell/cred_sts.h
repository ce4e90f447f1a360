/* STS AssumeRole: the base credentials, signed (V1, as the SDKs' ram_role_arn
 * providers sign), for the role's expiring credentials. */
#ifndef DCDN_CRED_STS_H
#define DCDN_CRED_STS_H

#include "core/conf.h"
#include "core/cred.h"

#include <stddef.h>

/* role has passed sts_check_role and has a session name; endpoint is
 * "scheme://host[:port]"; proxy_userpwd is the account's proxy credentials
 * as read at start (NULL: none). Returns 0 with out filled, or -1 with the
 * reason in why (the peer's Code, RequestId and Message; never a secret). */
int cred_sts_assume(const conf_account_t *conf, const char *proxy_userpwd,
                    const char *endpoint, const cred_role_t *role,
                    const cred_t *base, cred_t *out, char *why,
                    size_t why_size);

#endif
