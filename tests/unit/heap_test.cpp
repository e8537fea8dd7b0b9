#include "util/heap.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

// An ASan build replaces malloc: this is about glibc's own.
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#include <malloc.h>
#include <unistd.h>

namespace {

// Bytes of this process in memory.
std::size_t resident_bytes() {
    std::size_t pages = 0, resident = 0;
    std::FILE* statm = std::fopen("/proc/self/statm", "r");
    REQUIRE(statm != nullptr);
    CHECK(std::fscanf(statm, "%zu %zu", &pages, &resident) == 2);
    std::fclose(statm);
    return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// Bytes malloc holds in mappings of their own.
std::size_t mapped_bytes() {
    return mallinfo2().hblkhd;
}

}  // namespace

TEST_SUITE("util::heap") {
    TEST_CASE("heap: a large block freed and taken again still gets a mapping of its own") {
        contactd::heap::map_large_blocks(256 * 1024);
        constexpr std::size_t kHashBlock = 19 * 1024 * 1024;  // what one argon2id hash takes
        for (int round = 0; round < 2; ++round) {
            CAPTURE(round);
            const auto before = mapped_bytes();
            auto block = std::make_unique<char[]>(kHashBlock);
            std::memset(block.get(), 1, kHashBlock);
            CHECK(mapped_bytes() >= before + kHashBlock);
            block.reset();
            // Unmapped on free, not left resident in an arena.
            CHECK(mapped_bytes() == before);
        }
    }

    TEST_CASE("heap: free pages stay for the next request until the idle trim") {
        contactd::heap::map_large_blocks(256 * 1024);  // which had fixed trimming at 128 KiB
        contactd::heap::keep_free_pages(8 * 1024 * 1024);
        // A request's worth of blocks below the mmap threshold, freed at the top of the heap.
        std::vector<void*> blocks;
        for (int i = 0; i < 16; ++i) {
            blocks.push_back(std::malloc(100 * 1024));
            std::memset(blocks.back(), 1, 100 * 1024);
        }
        const auto held = mallinfo2().arena;
        for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) std::free(*it);
        CHECK(mallinfo2().arena == held);  // kept: the next request faults nothing in
        const auto resident = resident_bytes();
        contactd::heap::release_free();
        CHECK(resident_bytes() + 1024 * 1024 <= resident);  // given back once idle
    }
}
#endif
