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

// Fixing the mmap threshold also fixes glibc's trim threshold at 128 KiB: each free that
// leaves that much at the top of a heap gave it back (brk or madvise, with a TLB flush on
// every core) and the next request faulted it in again. A filtered list's temporary
// b-trees alone took 30% of the server's CPU that way. Free pages up to `bytes` a heap
// stay for the next request; release_free() gives them back once the server is idle.
void keep_free_pages(std::size_t bytes);

// Returns free heap pages to the system (malloc_trim).
void release_free();

}  // namespace contactd::heap
