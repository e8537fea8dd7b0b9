#pragma once
// The process heap (glibc malloc): how many arenas it may keep, which blocks get mappings
// of their own, and giving back what it no longer uses. Elsewhere than glibc they do nothing.
#include <cstddef>

namespace contactd::heap {

// glibc makes up to 8 arenas per core, one more each time a thread finds the others busy,
// and an arena keeps what it once held: after a burst on 64 HTTP workers tens of MB stayed
// resident. A few arenas (each thread still has its own small-block cache) bound that.
void limit_arenas(int arenas);

// glibc serves a block above its mmap threshold from a mapping of its own, unmapped on
// free, but the first such free raises the threshold to that block's size: from then on
// each password hash's 19 MiB came from an arena and stayed resident (65 MB after seeding
// the benchmark, 27 MB with a fixed threshold). Fixing it keeps large blocks mapped.
void map_large_blocks(std::size_t threshold_bytes);

// Returns free heap pages to the system (malloc_trim).
void release_free();

}  // namespace contactd::heap
