/* Every line this plugin logs starts with "dcdn plugin: ". */
#ifndef DCDN_LOG_H
#define DCDN_LOG_H

#include "plugin.h"

#define DCDN_ERROR(...) ERROR("dcdn plugin: " __VA_ARGS__)
#define DCDN_WARNING(...) WARNING("dcdn plugin: " __VA_ARGS__)
#define DCDN_NOTICE(...) NOTICE("dcdn plugin: " __VA_ARGS__)
#define DCDN_INFO(...) INFO("dcdn plugin: " __VA_ARGS__)

#endif
