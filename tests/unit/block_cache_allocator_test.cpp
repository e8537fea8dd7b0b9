#include "storage/sqlite/block_cache_allocator.h"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

namespace block_cache = contactd::storage::sqlite::block_cache;

namespace {

std::vector<void*> allocate_blocks(int count, int bytes = 1024) {
    std::vector<void*> blocks;
    for (int i = 0; i < count; ++i) blocks.push_back(block_cache::allocate(bytes));
    return blocks;
}

void release_all(const std::vector<void*>& blocks) {
    for (void* block : blocks) block_cache::release(block);
}

}  // namespace

TEST_SUITE("storage::block_cache_allocator") {
    TEST_CASE("block_cache: a caching thread keeps its freed 1 KiB blocks, up to the cap") {
        std::thread([] {
            block_cache::cache_on_this_thread();
            const auto blocks = allocate_blocks(40);
            release_all(blocks);
            CHECK(block_cache::cached_on_this_thread() == 40);
            // Served from the cache, last freed first.
            CHECK(block_cache::allocate(1024) == blocks.back());
            CHECK(block_cache::cached_on_this_thread() == 39);
            block_cache::release(blocks.back());

            // Other sizes are neither kept nor served from it.
            release_all(allocate_blocks(10, 4096));
            release_all(allocate_blocks(10, 512));
            CHECK(block_cache::cached_on_this_thread() == 40);

            const auto many = allocate_blocks(block_cache::kCachedBlocks + 100);
            CHECK(block_cache::cached_on_this_thread() == 0);  // the 40 were reused
            release_all(many);
            CHECK(block_cache::cached_on_this_thread() == block_cache::kCachedBlocks);

            block_cache::release_on_this_thread();
            CHECK(block_cache::cached_on_this_thread() == 0);
            release_all(allocate_blocks(5));  // the cache is off again
            CHECK(block_cache::cached_on_this_thread() == 0);
        }).join();
    }

    TEST_CASE("block_cache: a thread that did not ask for a cache keeps nothing") {
        std::thread([] {
            release_all(allocate_blocks(20));
            CHECK(block_cache::cached_on_this_thread() == 0);
        }).join();
    }
}
