/* Room for one more element in an array that doubles when full. */
#ifndef DCDN_GROW_H
#define DCDN_GROW_H

#include <stddef.h>
#include <stdint.h>

/* *items holds count elements of elem_size bytes in room for *cap. Returns
 * 0 when there is room for one more (reallocating if needed), or -1 when
 * out of memory (then *items and *cap are unchanged). */
int grow_for_one(void **items, size_t *cap, size_t count, size_t elem_size);

/* *rows rows of row_size bytes each: makes row `row` exist (new rows are
 * zeroed, the array at least doubles) and returns it, or NULL when out of
 * memory (then nothing changed). For tables indexed by domain number. */
void *grow_row(void **items, size_t *rows, size_t row_size, size_t row);

/* Tables of cells indexed by (domain number, object type): the one place
 * that knows the indexing, [domain * TASK_TYPE_COUNT + type]. The cell,
 * made (zeroed with its domain's row) when new; NULL when out of memory,
 * or when type is not one of the four or domain is DOMTAB_NONE. */
void *grow_cell(void **cells, size_t *domains, size_t cell_size,
                uint32_t domain, unsigned type);
/* The cell if its domain's row was ever made, else NULL. */
const void *grow_cell_get(const void *cells, size_t domains, size_t cell_size,
                          uint32_t domain, unsigned type);

#endif
