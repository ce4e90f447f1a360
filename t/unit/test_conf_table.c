/* The option table: each row says enough for the walk to read it (a field
 * or a rule where the row may appear, a range, a default it accepts), and
 * what a row says holds for every option, so that a new row is checked
 * without a test of its own. */
#include "core/conf.h"
#include "core/conf_option.h"
#include "oconfig_builder.h"

#include "unit.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int warnings;

static void count_warning(void *ctx, const char *message) {
  (void)ctx;
  (void)message;
  warnings++;
}

static conf_t conf;
static char err[1024];

static void setup(void) {
  conf = (conf_t)CONF_INIT;
  warnings = 0;
  err[0] = '\0';
}

static void teardown(void) { conf_free(&conf); }

static bool walk_reads(conf_type_t type) {
  return type == CONF_STRING || type == CONF_NUMBER || type == CONF_INTEGER ||
         type == CONF_BOOLEAN;
}

START_TEST(names_are_unique_and_found_in_their_scopes_only) {
  static const unsigned scopes[] = {CONF_IN_PLUGIN, CONF_IN_ACCOUNT,
                                    CONF_IN_DOMAIN};
  for (size_t i = 0; i < conf_option_count; i++) {
    const conf_option_t *o = &conf_options[i];
    for (size_t j = i + 1; j < conf_option_count; j++)
      ck_assert_msg(strcasecmp(o->name, conf_options[j].name) != 0,
                    "two rows for %s", o->name);
    for (size_t s = 0; s < N_OF(scopes); s++)
      ck_assert_ptr_eq(conf_option_find(scopes[s], o->name),
                       (o->scope & scopes[s]) ? o : NULL);
  }
  ck_assert_ptr_nonnull(conf_option_find(CONF_IN_ACCOUNT, "lOOKBACK"));
  ck_assert_ptr_null(conf_option_find(CONF_IN_ACCOUNT, "Colour"));
}
END_TEST

/* Where a row may appear it has a field, or a rule that reads it. */
START_TEST(each_row_has_somewhere_to_put_its_value) {
  for (size_t i = 0; i < conf_option_count; i++) {
    const conf_option_t *o = &conf_options[i];
    ck_assert_msg(o->scope != 0, "%s appears nowhere", o->name);
    ck_assert_msg(walk_reads(o->type) || o->rule != NULL,
                  "%s: nothing reads its type", o->name);
    ck_assert_msg((o->account != 0) <= ((o->scope & CONF_IN_ACCOUNT) != 0),
                  "%s: an account field outside <Account>", o->name);
    ck_assert_msg((o->domain != 0) <= ((o->scope & CONF_IN_DOMAIN) != 0),
                  "%s: a domain field outside <Domain>", o->name);
    if (o->scope & CONF_IN_ACCOUNT)
      ck_assert_msg(o->account != 0 || !walk_reads(o->type), "%s", o->name);
    if (o->scope & CONF_IN_DOMAIN)
      ck_assert_msg(o->domain != 0 || !walk_reads(o->type), "%s", o->name);
    /* A <Domain> inherits an account's option: CONF_INHERIT is an int. */
    if ((o->scope & CONF_IN_ACCOUNT) && (o->scope & CONF_IN_DOMAIN))
      ck_assert(o->type == CONF_INTEGER || o->type == CONF_STRINGS);
    /* Only strings are wiped when freed. */
    if (o->secret)
      ck_assert_int_eq(o->type, CONF_STRING);
  }
}
END_TEST

START_TEST(ranges_and_defaults_fit_their_types) {
  for (size_t i = 0; i < conf_option_count; i++) {
    const conf_option_t *o = &conf_options[i];
    bool ranged = o->type == CONF_NUMBER || o->type == CONF_INTEGER;
    ck_assert_msg(ranged ? o->min < o->max : o->min == 0 && o->max == 0,
                  "%s: range", o->name);
    if (o->type == CONF_INTEGER)
      ck_assert(o->min == floor(o->min) && o->max == floor(o->max));
    bool by_string = o->type == CONF_STRING || o->type == CONF_CHOICE;
    if (o->def.set)
      ck_assert_msg(by_string == (o->def.string != NULL), "%s", o->name);
    ck_assert_msg(!o->def.set || o->type != CONF_BLOCK, "%s", o->name);
  }
}
END_TEST

/* Every default is a value its own option accepts: no error, no warning. */
START_TEST(the_defaults_pass_their_own_ranges_and_rules) {
  conf_account_t account = {.name = strdup("t")};
  conf_ctx_t ctx = {.conf = &conf,
                    .account = &account,
                    .err = err,
                    .err_size = sizeof(err),
                    .warn = count_warning};
  ck_assert_msg(conf_set_defaults(&ctx, CONF_IN_ACCOUNT, &account) == 0, "%s",
                err);
  ck_assert_int_eq(warnings, 0);
  /* The Endpoint's default is the product's, set once the block is read. */
  ck_assert_ptr_null(account.endpoint);
  ck_assert_int_eq(account.product, PRODUCT_DCDN);
  conf_domain_t domain = {0};
  ck_assert_int_eq(conf_set_defaults(&ctx, CONF_IN_DOMAIN, &domain), 0);
  ck_assert_int_eq(domain.stuck_after, CONF_INHERIT);
  ck_assert_int_eq(domain.notify, CONF_INHERIT);
  ck_assert_uint_eq(domain.type_mask, 0); /* the product's, once known */
  conf_account_free(&account);
}
END_TEST

/* One account holding line, at account level or inside a <Domain>. */
static int parse_line(const conf_option_t *o, const char *line) {
  char text[1024];
  bool in_domain = !(o->scope & CONF_IN_ACCOUNT);
  snprintf(text, sizeof(text),
           "<Account \"prod\">\n AccessKeyId \"k\"\n AccessKeySecret \"s\"\n"
           " Domain \"a.com\"\n%s %s\n%s</Account>\n",
           in_domain ? " <Domain \"b.com\">\n" : "", line,
           in_domain ? " </Domain>\n" : "");
  oconfig_item_t *root = oconfig_from_text(text);
  int status =
      conf_add_block(&conf, root, err, sizeof(err), count_warning, NULL);
  oconfig_builder_free(root);
  conf_free(&conf);
  return status;
}

/* Both ends of a range are accepted, just past them refused, and the
 * message gives the range. */
START_TEST(every_range_is_enforced_as_the_table_says) {
  const conf_option_t *o = &conf_options[_i];
  if (o->type != CONF_NUMBER && o->type != CONF_INTEGER)
    return;
  char line[128], range[96];
  snprintf(range, sizeof(range), "must be between %g and %g", o->min, o->max);
  const double step = o->type == CONF_INTEGER ? 1 : o->min / 2;
  const double refused[] = {o->min - step, o->max + 1};
  for (size_t i = 0; i < N_OF(refused); i++) {
    snprintf(line, sizeof(line), "%s %.17g", o->name, refused[i]);
    ck_assert_int_eq(parse_line(o, line), -1);
    ck_assert_msg(strstr(err, range) != NULL, "%s: %s", line, err);
  }
  const double accepted[] = {o->min, o->max};
  for (size_t i = 0; i < N_OF(accepted); i++) {
    snprintf(line, sizeof(line), "%s %.17g", o->name, accepted[i]);
    ck_assert_msg(parse_line(o, line) == 0, "%s: %s", line, err);
  }
}
END_TEST

/* A secret's value never appears in a message; any other's does. */
START_TEST(a_secret_option_never_shows_its_value) {
  const conf_option_t *o = &conf_options[_i];
  if (o->type != CONF_STRING)
    return;
  char line[128];
  snprintf(line, sizeof(line), "%s \"v4lue\" \"two\"", o->name);
  ck_assert_int_eq(parse_line(o, line), -1);
  ck_assert_msg((strstr(err, "(hidden)") != NULL) == o->secret, "%s", err);
  ck_assert_msg((strstr(err, "v4lue") == NULL) == o->secret, "%s", err);
}
END_TEST

START_TEST(a_choice_names_every_choice_it_allows) {
  static const char *const two[] = {"on", "off", NULL};
  oconfig_item_t *root = oconfig_from_text("Mode \"dim\"\n");
  conf_account_t account = {0};
  conf_ctx_t ctx = {.account = &account, .err = err, .err_size = sizeof(err)};
  int choice = -1;
  ck_assert_int_eq(conf_get_choice(&ctx, &root->children[0], two, &choice), -1);
  ck_assert_str_eq(err, "Account \"?\": option \"Mode\" = \"dim\": must be "
                        "\"on\" or \"off\"");
  ck_assert_int_eq(choice, -1);
  ck_assert_int_eq(conf_choice_index(two, "OFF"), 1);
  oconfig_builder_free(root);
}
END_TEST

static void add_row_tests(Suite *suite, TCase *tc) {
  (void)suite;
  tcase_add_loop_test(tc, every_range_is_enforced_as_the_table_says, 0,
                      (int)conf_option_count);
  tcase_add_loop_test(tc, a_secret_option_never_shows_its_value, 0,
                      (int)conf_option_count);
}

static const unit_case_t test_case = {
    .setup = setup, .teardown = teardown, .extend = add_row_tests};

int main(void) {
  const TTest *const tests[] = {
      names_are_unique_and_found_in_their_scopes_only,
      each_row_has_somewhere_to_put_its_value,
      ranges_and_defaults_fit_their_types,
      the_defaults_pass_their_own_ranges_and_rules,
      a_choice_names_every_choice_it_allows,
  };
  return unit_main("conf_table", tests, N_OF(tests), &test_case);
}
