#include "util/heap.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace contactd::heap {

#if defined(__GLIBC__)

void limit_arenas(int arenas) {
    mallopt(M_ARENA_MAX, arenas);
}

void map_large_blocks(std::size_t threshold_bytes) {
    mallopt(M_MMAP_THRESHOLD, static_cast<int>(threshold_bytes));
}

void keep_free_pages(std::size_t bytes) {
    mallopt(M_TRIM_THRESHOLD, static_cast<int>(bytes));
}

void release_free() {
    malloc_trim(0);
}

#else  // another C library: its malloc has none of these settings

void limit_arenas(int) {}
void map_large_blocks(std::size_t) {}
void keep_free_pages(std::size_t) {}
void release_free() {}

#endif

}  // namespace contactd::heap
