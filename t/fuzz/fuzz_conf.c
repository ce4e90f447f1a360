/* Configuration validation: collectd-config text -> oconfig tree (the
 * hardened copy of the unit tests' builder) -> conf_add_block. A form feed
 * splits the input into two <Plugin dcdn> blocks added to the same conf_t,
 * as collectd does when the plugin is configured twice. Checks what conf.h
 * promises: an error has a message and leaves no account of its block; an
 * accepted account is complete, its domains valid, sorted and unique. */
#include "core/conf.h"
#include "core/domtab.h"

#include "fuzz.h"
#include "oconfig_builder.h"

static void fuzz_warn(void *ctx, const char *message) {
  (void)ctx;
  FUZZ_CHECK(message != NULL && message[0] != '\0');
}

static void fuzz_check_account(const conf_t *conf, const conf_account_t *a) {
  FUZZ_CHECK(a->name != NULL && a->name[0] != '\0');
  FUZZ_CHECK(a->endpoint != NULL && a->endpoint_host != NULL &&
             a->state_dir != NULL && a->metadata_endpoint != NULL);
  FUZZ_CHECK(a->signature_version == 1 || a->signature_version == 3);
  FUZZ_CHECK(a->lookback >= CONF_MIN_LOOKBACK &&
             a->lookback <= CONF_MAX_LOOKBACK);
  FUZZ_CHECK(a->rate_limit > 0 && a->timeout > 0);
  FUZZ_CHECK(a->domain_count > 0 && a->domains != NULL);
  for (size_t i = 0; i < a->domain_count; i++) {
    const conf_domain_t *d = &a->domains[i];
    FUZZ_CHECK(d->name != NULL && d->name[0] != '\0' &&
               strlen(d->name) <= CONF_MAX_DOMAIN_LEN);
    FUZZ_CHECK(d->type_mask != 0 && (d->type_mask & ~CONF_TYPES_ALL) == 0);
    if (i > 0)
      FUZZ_CHECK(strcmp(a->domains[i - 1].name, d->name) < 0);
    FUZZ_CHECK(conf_find_domain(a, d->name) == d);
  }
  /* Names are unique across accounts, and a domain belongs to one. */
  for (size_t i = 0; i < conf->count; i++) {
    const conf_account_t *o = &conf->accounts[i];
    if (o == a)
      continue;
    FUZZ_CHECK(strcmp(o->name, a->name) != 0);
    for (size_t k = 0; k < a->domain_count; k++)
      FUZZ_CHECK(strcmp(a->domains[k].name, CONF_WILDCARD_DOMAIN) == 0 ||
                 conf_find_domain(o, a->domains[k].name) == NULL);
  }
  domtab_t tab;
  FUZZ_CHECK(domtab_init(&tab, a) == 0);
  domtab_free(&tab);
}

static void fuzz_block(conf_t *conf, const char *text) {
  oconfig_item_t *root = oconfig_from_text(text);
  size_t before = conf->count;
  char err[512];
  err[0] = '\0';
  int status = conf_add_block(conf, root, err, sizeof(err), fuzz_warn, NULL);
  FUZZ_CHECK(status == 0 || status == -1);
  if (status == 0) {
    FUZZ_CHECK(conf->count == before + (size_t)root->children_num);
  } else {
    FUZZ_CHECK(err[0] != '\0');
    FUZZ_CHECK(conf->count == before);
  }
  oconfig_builder_free(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  char *second = strchr(text, '\f');
  if (second != NULL)
    *second++ = '\0';
  conf_t conf = CONF_INIT;
  fuzz_block(&conf, text);
  if (second != NULL)
    fuzz_block(&conf, second);
  for (size_t i = 0; i < conf.count; i++)
    fuzz_check_account(&conf, &conf.accounts[i]);
  conf_free(&conf);
  free(text);
  return 0;
}
