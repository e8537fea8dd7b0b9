#include "util/heap.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace contactd::heap {

void limit_arenas(int arenas) {
#if defined(__GLIBC__)
    mallopt(M_ARENA_MAX, arenas);
#else
    (void)arenas;
#endif
}

void map_large_blocks(std::size_t threshold_bytes) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, static_cast<int>(threshold_bytes));
#else
    (void)threshold_bytes;
#endif
}

void keep_free_pages(std::size_t bytes) {
#if defined(__GLIBC__)
    mallopt(M_TRIM_THRESHOLD, static_cast<int>(bytes));
#else
    (void)bytes;
#endif
}

void release_free() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

}  // namespace contactd::heap
