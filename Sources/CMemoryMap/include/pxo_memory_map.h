#ifndef PIXELOOD_MEMORY_MAP_H
#define PIXELOOD_MEMORY_MAP_H
// Anonymous memory mappings for the tensor storage cache: a buffer of its own pages, given
// back to the system when unmapped, and resized in place of a fresh one (mremap moves the
// pages it keeps; only pages it adds are new). mremap is variadic in C, so Swift cannot call
// it directly.
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A private anonymous mapping of `bytes` (page aligned), or NULL when the system refuses.
void *pxo_map(size_t bytes);

/// The mapping `buffer` of `old_bytes` resized to `new_bytes`, possibly moved (its first
/// min(old, new) bytes kept), or NULL when the system refuses (then `buffer` is unchanged).
void *pxo_remap(void *buffer, size_t old_bytes, size_t new_bytes);

/// Unmaps the mapping `buffer` of `bytes`.
void pxo_unmap(void *buffer, size_t bytes);

#ifdef __cplusplus
}
#endif
#endif
