#pragma once
// The SQLite backend of Store: one writer connection and a small pool of reader
// connections (WAL lets them read while a write is under way).
//
// Group commit: concurrent write() calls share one BEGIN IMMEDIATE transaction and one
// COMMIT (one fsync). Writers still take turns on the writer connection; each runs its
// work inside a SAVEPOINT of the open batch, so a work that throws is rolled back alone
// and its neighbours commit. A writer that finds no other writer waiting for its turn
// commits the batch; otherwise it leaves it open for the next and waits. Every write()
// returns (or rethrows its own exception) only after the COMMIT of the batch that held
// it; if that COMMIT fails, every member of the batch gets the failure. A batch closes
// after kMaxBatchWrites writes or kMaxBatchAge, so no writer waits longer than one batch.
//
// Durability: journal_mode=WAL with synchronous=FULL, so a committed consumed code or
// rotated refresh token survives a power loss. write_relaxed() may join a FULL batch;
// a batch opened by a relaxed write commits with synchronous=NORMAL (no fsync; the next
// FULL commit makes it durable too) and is committed before a FULL write opens the next.
// Foreign keys are on for every connection.
#include <SQLiteCpp/Database.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/sqlite/connection.h"
#include "storage/store.h"

namespace contactd::storage::sqlite {

class SqliteStore final : public Store {
  public:
    // Opens (creating if needed) the database at `path` and applies pending migrations.
    // Throws SQLite::Exception if the file cannot be opened or migrated.
    explicit SqliteStore(const std::string& path, std::size_t readers = 4);
    ~SqliteStore() override;

    bool healthy() override;
    void checkpoint() override;

    // The raw writer connection, for tests that inspect the schema or query plans.
    SQLite::Database& writer_connection_for_tests() { return *writer_; }

    static constexpr std::size_t kMaxBatchWrites = 64;
    static constexpr std::chrono::milliseconds kMaxBatchAge{5};
    // Batches committed (or failed) so far: tests and metrics see how writes were joined.
    std::uint64_t batches() const { return batches_done_.load(); }

  protected:
    void run_read(const Work& work) override;
    void run_write(const Work& work) override;
    void run_write_relaxed(const Work& work) override;

  private:
    std::unique_ptr<Connection> open(bool read_only) const;
    std::unique_ptr<Connection> take_reader();
    void give_back_reader(std::unique_ptr<Connection> reader);

    void write_in_batch(const Work& work, bool relaxed);
    void open_batch_locked(bool relaxed);
    void commit_batch_locked();

    const std::string path_;
    std::mutex write_mutex_;  // guards writer_ and the batch state below
    std::unique_ptr<Connection> writer_;
    std::condition_variable batch_done_;
    std::atomic<int> writers_waiting_{0};  // writers about to take write_mutex_
    bool batch_open_ = false;
    bool batch_relaxed_ = false;
    std::uint64_t batch_ = 0;       // the open batch, else the last one
    std::size_t batch_writes_ = 0;  // writes in the open batch
    std::chrono::steady_clock::time_point batch_opened_;
    std::uint64_t finished_batch_ = 0;  // every batch up to this one has committed or failed
    struct Failure {
        std::exception_ptr error;
        std::size_t unread;  // members that have not rethrown it yet
    };
    std::map<std::uint64_t, Failure> failed_batches_;
    std::atomic<std::uint64_t> batches_done_{0};

    std::mutex readers_mutex_;  // guards readers_
    std::condition_variable reader_available_;
    std::vector<std::unique_ptr<Connection>> readers_;
};

}  // namespace contactd::storage::sqlite
