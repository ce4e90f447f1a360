/* Room for one more element in an array that doubles when full. */
#ifndef DCDN_GROW_H
#define DCDN_GROW_H

#include <stddef.h>

/* *items holds count elements of elem_size bytes in room for *cap. Returns
 * 0 when there is room for one more (reallocating if needed), or -1 when
 * out of memory (then *items and *cap are unchanged). */
int grow_for_one(void **items, size_t *cap, size_t count, size_t elem_size);

/* *rows rows of row_size bytes each: makes row `row` exist (new rows are
 * zeroed, the array at least doubles) and returns it, or NULL when out of
 * memory (then nothing changed). For tables indexed by domain number. */
void *grow_row(void **items, size_t *rows, size_t row_size, size_t row);

#endif
