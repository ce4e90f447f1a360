/* Reads the config language the same way collectd's parser does for what
 * the tests and the config fuzzer need. Safe for arbitrary text (fuzz_conf
 * feeds it any bytes): an unterminated quote takes the rest of the text, a
 * stray closing line is ignored, and blocks nest at most OB_MAX_DEPTH deep
 * (collectd's own parser has a limit too). Everything it builds is what
 * collectd could hand the plugin: string, number and boolean values, child
 * items. */
#include "oconfig_builder.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OB_MAX_DEPTH 16

static void *ob_alloc(size_t n) {
  void *p = calloc(1, n);
  if (p == NULL)
    abort();
  return p;
}

static char *ob_strndup(const char *s, size_t n) {
  char *copy = strndup(s, n);
  if (copy == NULL)
    abort();
  return copy;
}

static oconfig_item_t *ob_new_child(oconfig_item_t *parent, const char *key,
                                    size_t key_len) {
  parent->children =
      realloc(parent->children,
              (size_t)(parent->children_num + 1) * sizeof(*parent->children));
  if (parent->children == NULL)
    abort();
  oconfig_item_t *it = &parent->children[parent->children_num++];
  memset(it, 0, sizeof(*it));
  it->key = ob_strndup(key, key_len);
  it->parent = parent;
  return it;
}

static void ob_add_value(oconfig_item_t *it, oconfig_value_t v) {
  it->values =
      realloc(it->values, (size_t)(it->values_num + 1) * sizeof(*it->values));
  if (it->values == NULL)
    abort();
  it->values[it->values_num++] = v;
}

/* Reads the values after a key up to the end of the line (or '>'). */
static const char *ob_values(oconfig_item_t *it, const char *p) {
  for (;;) {
    while (*p == ' ' || *p == '\t')
      p++;
    if (*p == '\0' || *p == '\n' || *p == '>' || *p == '#')
      return p;
    oconfig_value_t v = {0};
    size_t len;
    if (*p == '"') {
      len = strcspn(p + 1, "\"");
      v.type = OCONFIG_TYPE_STRING;
      v.value.string = ob_strndup(p + 1, len);
      p += len + 1;
      if (*p == '"') /* the closing quote; none at the end of the text */
        p++;
    } else {
      len = strcspn(p, " \t\n>#");
      if (strncmp(p, "true", len) == 0 || strncmp(p, "false", len) == 0) {
        v.type = OCONFIG_TYPE_BOOLEAN;
        v.value.boolean = *p == 't';
      } else {
        v.type = OCONFIG_TYPE_NUMBER;
        v.value.number = strtod(p, NULL);
      }
      p += len;
    }
    ob_add_value(it, v);
  }
}

oconfig_item_t *oconfig_from_text(const char *text) {
  oconfig_item_t *root = ob_alloc(sizeof(*root));
  root->key = ob_strndup("Plugin", 6);
  ob_add_value(root, (oconfig_value_t){.value.string = ob_strndup("dcdn", 4),
                                       .type = OCONFIG_TYPE_STRING});
  oconfig_item_t *current = root;
  int depth = 0;
  for (const char *p = text; *p;) {
    while (isspace((unsigned char)*p))
      p++;
    if (*p == '#') {
      p += strcspn(p, "\n");
    } else if (p[0] == '<' && p[1] == '/') {
      if (depth > 0) {
        current = current->parent;
        depth--;
      }
      p += strcspn(p, "\n");
    } else if (*p == '<' && depth < OB_MAX_DEPTH) {
      size_t len = strcspn(p + 1, " \t>");
      current = ob_new_child(current, p + 1, len);
      depth++;
      p = ob_values(current, p + 1 + len);
      p += strcspn(p, "\n");
    } else if (*p == '<') {
      p += strcspn(p, "\n"); /* nested too deeply: dropped */
    } else if (*p != '\0') {
      size_t len = strcspn(p, " \t\n");
      oconfig_item_t *it = ob_new_child(current, p, len);
      p = ob_values(it, p + len);
      p += strcspn(p, "\n");
    }
  }
  return root;
}

static void ob_free_item(oconfig_item_t *it) {
  for (int i = 0; i < it->values_num; i++)
    if (it->values[i].type == OCONFIG_TYPE_STRING)
      free(it->values[i].value.string);
  free(it->values);
  for (int i = 0; i < it->children_num; i++)
    ob_free_item(&it->children[i]);
  free(it->children);
  free(it->key);
}

void oconfig_builder_free(oconfig_item_t *root) {
  ob_free_item(root);
  free(root);
}
