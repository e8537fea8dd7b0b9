#pragma once
// SQLite's memory allocator: the C library's malloc, plus a cache, on the threads that
// ask for one, of the 1 KiB blocks in which SQLite keeps a write's sub-journal.
//
// Why: every write of a group commit runs in a savepoint, which copies each page it first
// changes into a sub-journal held in memory (temp_store = MEMORY) in blocks of 1 KiB, five
// a page, all freed when the savepoint is released. That is more than glibc's per-thread
// cache keeps of one size (seven), so most went through the arena's bins and their
// consolidation: 12% of the writer thread's time in a validate-otp profile. A larger
// block is no way out: SQLite's journal then spills to a file at the block's size, which
// a write of ~30 pages (a registration) exceeds.
//
// Linux with glibc (malloc_usable_size), as contactd is.
namespace contactd::storage::sqlite::block_cache {

// Installs the allocator; only possible before SQLite initializes (the first connection
// or VFS registration of the process). False when it came too late: SQLite then keeps
// its own allocator and the calls below change nothing.
bool install();

// This thread keeps up to kCachedBlocks freed sub-journal blocks for reuse, until
// release_on_this_thread() frees them (before the thread ends).
inline constexpr int kCachedBlocks = 256;  // 256 KiB: a write changing fifty pages
void cache_on_this_thread();
void release_on_this_thread();

// The allocator's two calls that use the cache, and the blocks it holds now, for tests.
void* allocate(int bytes);
void release(void* block);
int cached_on_this_thread();

}  // namespace contactd::storage::sqlite::block_cache
