/* A copy of t/unit/oconfig_builder.c that reads any text without crashing:
 * see oconfig_fuzz.c for what differs. */
#ifndef DCDN_OCONFIG_FUZZ_H
#define DCDN_OCONFIG_FUZZ_H

#include "liboconfig/oconfig.h"

oconfig_item_t *oconfig_fuzz_from_text(const char *text);
void oconfig_fuzz_free(oconfig_item_t *root);

#endif
