/* An option is a row of one table (conf_options[], in conf.c): its name,
 * the type of its value, the range, the default, where it may appear,
 * whether it is a secret, and where its value goes. The walk reads a block
 * by that table. Internal to conf*.c (and the table's unit test). */
#ifndef DCDN_CONF_OPTION_H
#define DCDN_CONF_OPTION_H

#include "core/conf_value.h"

#include <stdbool.h>
#include <stddef.h>

#include "liboconfig/oconfig.h"

/* Where an option may appear (bits). An option of both <Account> and
 * <Domain> that a <Domain> leaves out is its account's (CONF_INHERIT). */
#define CONF_IN_PLUGIN 0x1u  /* directly in <Plugin dcdn> */
#define CONF_IN_ACCOUNT 0x2u /* in <Account> */
#define CONF_IN_DOMAIN 0x4u  /* in <Domain> */

typedef enum {
  /* The walk reads these and stores the value in the row's field. */
  CONF_STRING,  /* one non-empty string -> char * */
  CONF_NUMBER,  /* one number in min..max -> double */
  CONF_INTEGER, /* one whole number in min..max -> int */
  CONF_BOOLEAN, /* true or false -> bool */
  /* The row's rule reads these. */
  CONF_CHOICE,            /* one of the rule's words -> an enum */
  CONF_STRINGS,           /* zero or more strings -> int-sized bits, or other */
  CONF_STRING_OR_BOOLEAN, /* -> char * */
  CONF_STRING_OR_NUMBER,  /* one of either -> what the rule makes of it */
  CONF_BLOCK              /* a block with one name and options inside */
} conf_type_t;

/* What the type cannot say. For the types the walk reads it runs after the
 * value is stored in field, to check it or derive from it; the other types
 * it reads itself. field is NULL for a row without one. */
typedef int (*conf_rule_fn)(conf_ctx_t *ctx, const oconfig_item_t *item,
                            void *field);

/* A default is read as if configured, range and rule included; a
 * CONF_STRINGS default is the bits themselves. */
typedef struct {
  bool set;
  double number; /* CONF_NUMBER, CONF_INTEGER, CONF_BOOLEAN, CONF_STRINGS */
  const char *string; /* CONF_STRING, CONF_CHOICE */
} conf_default_t;

/* Where a value goes: offsetof(...) + 1, so that 0 is nowhere. */
#define CONF_ACCOUNT_FIELD(f) (offsetof(conf_account_t, f) + 1)
#define CONF_DOMAIN_FIELD(f) (offsetof(conf_domain_t, f) + 1)

/* One row; conf.c's table gives every column of every row, in this order. */
typedef struct {
  const char *name; /* case-insensitive, as everywhere in collectd */
  conf_type_t type;
  double min, max;    /* CONF_NUMBER, CONF_INTEGER; else 0, 0 */
  conf_default_t def; /* unset: zero, NULL or false */
  unsigned scope;     /* CONF_IN_* bits */
  bool secret;        /* its value is never shown, and wiped */
  size_t account;     /* CONF_ACCOUNT_FIELD, or 0 */
  size_t domain;      /* CONF_DOMAIN_FIELD, or 0 */
  conf_rule_fn rule;  /* or NULL */
} conf_option_t;

extern const conf_option_t conf_options[];
extern const size_t conf_option_count;

/* The row of name (case-insensitive) allowed in scope, or NULL. */
const conf_option_t *conf_option_find(unsigned scope, const char *name);

/* Reads one option of scope (a CONF_IN_* bit) into base, a conf_account_t
 * or conf_domain_t (NULL in CONF_IN_PLUGIN). */
int conf_read_option(conf_ctx_t *ctx, const oconfig_item_t *item,
                     unsigned scope, void *base);

/* Reads each option inside block (a CONF_IN_* scope) into base, a
 * conf_account_t or conf_domain_t. */
int conf_walk(conf_ctx_t *ctx, const oconfig_item_t *block, unsigned scope,
              void *base);

/* Stores into base the default of each option of scope; in a domain, an
 * account's option gets CONF_INHERIT. */
int conf_set_defaults(conf_ctx_t *ctx, unsigned scope, void *base);

#endif
