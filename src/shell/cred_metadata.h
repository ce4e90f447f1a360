/* Credentials of the ECS instance's RAM role, from the metadata service:
 * an IMDSv2 token first, then without one (as the SDKs fall back). */
#ifndef DCDN_CRED_METADATA_H
#define DCDN_CRED_METADATA_H

#include "core/cred.h"

#include <stddef.h>

#define CRED_METADATA_TIMEOUT 1.0 /* seconds, as the SDKs wait */

/* role NULL: ask the service for it (*role_found gets it, caller frees).
 * Returns 0, or -1 with the reason in why (never a secret). */
int cred_metadata_fetch(const char *endpoint, const char *role, cred_t *out,
                        char **role_found, char *why, size_t why_size);

#endif
