#define _GNU_SOURCE
#include "pxo_memory_map.h"

#include <sys/mman.h>

void *pxo_map(size_t bytes) {
    void *buffer = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return buffer == MAP_FAILED ? NULL : buffer;
}

void *pxo_remap(void *buffer, size_t old_bytes, size_t new_bytes) {
    void *moved = mremap(buffer, old_bytes, new_bytes, MREMAP_MAYMOVE);
    return moved == MAP_FAILED ? NULL : moved;
}

void pxo_unmap(void *buffer, size_t bytes) { munmap(buffer, bytes); }
