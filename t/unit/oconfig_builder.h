/* Builds an oconfig_item_t tree from collectd config text, so that config
 * tests read like the configuration a user writes. Supports what the
 * plugin's tests need: "Key value...", "<Block value...>", "</Block>",
 * quoted strings, numbers, true/false and # comments. */
#ifndef DCDN_OCONFIG_BUILDER_H
#define DCDN_OCONFIG_BUILDER_H

#include "liboconfig/oconfig.h"

/* The returned root item (key "Plugin", value "dcdn") holds the parsed
 * items as children. Any text is read; only out of memory aborts. */
oconfig_item_t *oconfig_from_text(const char *text);
void oconfig_builder_free(oconfig_item_t *root);

#endif
