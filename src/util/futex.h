#pragma once
// The two futex calls contactd sleeps and wakes with (Linux only, as the server is).
// Private futexes: the word's address is the key, and nothing is read from it by a wake,
// so waking a word whose owner has just gone can at most wake a stranger spuriously.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace contactd::futex {

// Sleeps while `word` holds `expected`, until woken, or `timeout` passed (when positive).
// Returns at once if it holds something else. Spurious returns happen: callers re-check.
void wait(std::atomic<std::uint32_t>& word, std::uint32_t expected,
          std::chrono::nanoseconds timeout = std::chrono::nanoseconds::zero());

// Wakes one thread sleeping on `word`.
void wake_one(std::atomic<std::uint32_t>& word);

}  // namespace contactd::futex
