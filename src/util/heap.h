#pragma once
// The process heap (glibc malloc): how many arenas it may keep, and giving back what it
// no longer uses. Elsewhere than glibc both do nothing.
#include <cstddef>

namespace contactd::heap {

// glibc makes up to 8 arenas per core, one more each time a thread finds the others busy,
// and an arena keeps what it once held: after a burst on 64 HTTP workers tens of MB stayed
// resident. A few arenas (each thread still has its own small-block cache) bound that.
void limit_arenas(int arenas);

// Returns free heap pages to the system (malloc_trim).
void release_free();

}  // namespace contactd::heap
