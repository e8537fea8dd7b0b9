#pragma once
// The unit of work: a request's reads and writes run in one transaction.
//
//   auto id = store.write([&](Repositories& repos) { ...; return id; });
//
// write() serializes writers and commits when the function returns; if it throws, the
// transaction rolls back and the exception propagates. read() sees one consistent
// snapshot and may run concurrently with other reads and a write. write_relaxed() is
// write() for bookkeeping that may be lost on a power failure (never on a crash of the
// process), such as rate-limiter counts: it does not wait for the disk. Thread-safe.
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "storage/repositories.h"

namespace contactd::storage {

class Store {
  public:
    virtual ~Store() = default;

    template <class F>
    auto read(F&& fn) {
        return run(std::forward<F>(fn), [this](const Work& work) { run_read(work); });
    }
    template <class F>
    auto write(F&& fn) {
        return run(std::forward<F>(fn), [this](const Work& work) { run_write(work); });
    }
    template <class F>
    auto write_relaxed(F&& fn) {
        return run(std::forward<F>(fn), [this](const Work& work) { run_write_relaxed(work); });
    }

    // True when the backing database answers.
    virtual bool healthy() = 0;

    // Folds the write-ahead log back into the database and empties it, where the backend
    // keeps one in a file (SQLite): old versions of rows, such as a message text erased
    // since, then no longer linger there. Best effort: it gives up quickly while readers
    // hold old snapshots (the next call catches up). A no-op elsewhere.
    virtual void checkpoint() {}
    // Gives back memory held for speed only (page caches of idle connections): the server
    // calls it once it has been idle a while.
    virtual void release_memory() {}

  protected:
    using Work = std::function<void(Repositories&)>;
    virtual void run_read(const Work& work) = 0;
    virtual void run_write(const Work& work) = 0;
    // A backend without a cheaper commit makes it an ordinary write.
    virtual void run_write_relaxed(const Work& work) { run_write(work); }

  private:
    template <class F, class Runner>
    static auto run(F&& fn, Runner&& runner) {
        using Result = std::invoke_result_t<F, Repositories&>;
        if constexpr (std::is_void_v<Result>) {
            runner([&](Repositories& repos) { fn(repos); });
        } else {
            std::optional<Result> result;
            runner([&](Repositories& repos) { result.emplace(fn(repos)); });
            return std::move(*result);
        }
    }
};

}  // namespace contactd::storage
