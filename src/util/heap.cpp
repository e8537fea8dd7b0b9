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

void release_free() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

}  // namespace contactd::heap
