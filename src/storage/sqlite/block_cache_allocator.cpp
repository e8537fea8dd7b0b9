#include "storage/sqlite/block_cache_allocator.h"

#include <malloc.h>
#include <sqlite3.h>

#include <cstdlib>

namespace contactd::storage::sqlite::block_cache {
namespace {

// What SQLite asks for a block of an in-memory journal (MEMJOURNAL_DFLT_FILECHUNKSIZE).
constexpr int kBlockRequest = 1024;

struct Cache {
    bool on = false;
    int count = 0;
    void* blocks[kCachedBlocks];
};
thread_local Cache t_cache;  // trivially destructible: no use after a destructor ran

// The usable size glibc gives a block of kBlockRequest bytes: any freed block of exactly
// that size can serve the next request.
const std::size_t g_block_usable = [] {
    void* probe = std::malloc(kBlockRequest);
    const auto usable = malloc_usable_size(probe);
    std::free(probe);
    return usable;
}();

void* reallocate(void* block, int bytes) {
    return std::realloc(block, static_cast<std::size_t>(bytes));
}

int size_of(void* block) {
    return static_cast<int>(malloc_usable_size(block));
}

int round_up(int bytes) {
    return (bytes + 7) & ~7;
}

int init(void*) {
    return SQLITE_OK;
}

void shutdown(void*) {}

}  // namespace

bool install() {
    static const sqlite3_mem_methods methods{allocate, release, reallocate, size_of,
                                             round_up, init,    shutdown,   nullptr};
    return sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) == SQLITE_OK;
}

void* allocate(int bytes) {
    if (bytes == kBlockRequest && t_cache.count > 0) return t_cache.blocks[--t_cache.count];
    return std::malloc(static_cast<std::size_t>(bytes));
}

void release(void* block) {
    if (block && t_cache.on && t_cache.count < kCachedBlocks &&
        malloc_usable_size(block) == g_block_usable) {
        t_cache.blocks[t_cache.count++] = block;
        return;
    }
    std::free(block);
}

int cached_on_this_thread() {
    return t_cache.count;
}

void cache_on_this_thread() {
    t_cache.on = true;
}

void release_on_this_thread() {
    t_cache.on = false;
    while (t_cache.count > 0) std::free(t_cache.blocks[--t_cache.count]);
}

}  // namespace contactd::storage::sqlite::block_cache
