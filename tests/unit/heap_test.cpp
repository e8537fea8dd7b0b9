#include "util/heap.h"

#include <doctest/doctest.h>

#include <cstring>
#include <memory>

// An ASan build replaces malloc: this is about glibc's own.
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#include <malloc.h>

namespace {

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
}
#endif
