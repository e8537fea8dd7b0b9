#pragma once
// The SQLite backend of Store: one writer connection and a small pool of reader
// connections (WAL lets them read while a write is under way).
//
// Group commit: one writer thread owns the writer connection and runs the writes handed
// to it back to back in one BEGIN IMMEDIATE transaction, each inside a SAVEPOINT, then one
// COMMIT (one fsync). A work that throws is rolled back alone and its neighbours commit.
// Every write() returns (or rethrows its own exception) only after the COMMIT of the
// batch that held it; if that COMMIT fails, every member of the batch gets the failure.
// Writes that arrive while a batch runs join it until it holds kMaxBatchWrites or is
// kMaxBatchAge old, so no write waits longer than one batch for its commit.
//
// Why a thread: when writers took turns on a mutex, each turn waited for the next writer
// to be woken and scheduled, and on a 2-core VM those wake-ups, not the SQL, bounded the
// writes per second. The writer thread never waits while work is queued.
//
// Durability: journal_mode=WAL with synchronous=FULL, so a committed consumed code or
// rotated refresh token survives a power loss. A relaxed write may join a FULL batch; a
// batch of relaxed writes only commits with synchronous=NORMAL (no fsync; the next FULL
// commit makes it durable too).
// Checkpoints: the writer does not copy the log back into the database itself (SQLite's
// automatic checkpoint ran inside COMMIT, a tenth of the writer's time). Once the log
// holds kCheckpointFrames pages more than at the last checkpoint, a checkpointer thread
// runs a PASSIVE checkpoint on a connection of its own while writes go on. checkpoint(),
// which also empties the log, does the same first and holds writes back only for the rest.
// Once the log is kRestartFrames long, the writer copies what a pass left between two
// batches, so that the log starts anew (restart_log_if_due).
// Foreign keys are on for every connection.
#include <SQLiteCpp/Database.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite/connection.h"

struct sqlite3;
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
    void release_memory() override;

    // The raw writer connection, for tests that inspect the schema or query plans (not
    // while writes run).
    SQLite::Database& writer_connection_for_tests() { return *writer_; }

    static constexpr std::size_t kMaxBatchWrites = 64;
    static constexpr std::chrono::milliseconds kMaxBatchAge{5};
    static constexpr int kCheckpointFrames = 1000;
    static constexpr int kRestartFrames = 4 * kCheckpointFrames;  // about 16 MiB of log
    // A checkpoint() that holds writes back this long is logged.
    static constexpr std::chrono::milliseconds kSlowCheckpoint{100};
    // Batches committed (or failed) so far: tests and metrics see how writes were joined.
    std::uint64_t batches() const { return batches_done_.load(); }
    // Passive checkpoints run so far (by the checkpointer thread and checkpoint()).
    std::uint64_t checkpoints() const { return checkpoints_done_.load(); }

  protected:
    void run_read(const Work& work) override;
    void run_write(const Work& work) override;
    void run_write_relaxed(const Work& work) override;

  private:
    struct PendingWrite;

    std::unique_ptr<Connection> open(bool read_only) const;
    std::unique_ptr<Connection> take_reader();
    void give_back_reader(std::unique_ptr<Connection> reader);

    void write_in_batch(const Work& work, bool relaxed);
    void writer_loop();
    // Runs `first` and whatever joins it as one transaction, then answers them all.
    void run_batch(PendingWrite& first);
    // False when SQLite ended the whole transaction.
    bool run_member(PendingWrite& member);
    void restore_full_sync(bool relaxed);
    void restart_log_if_due();  // on the writer thread, between batches

    const std::string path_;
    std::mutex writer_mutex_;  // guards writer_: the writer thread holds it for a batch
    std::unique_ptr<Connection> writer_;
    std::mutex queue_mutex_;  // guards queue_ and stopping_
    std::condition_variable queued_;
    std::deque<PendingWrite*> queue_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> batches_done_{0};
    std::thread writer_thread_;

    void checkpointer_loop();
    void checkpoint_passively();
    static int on_wal_commit(void* store, sqlite3* db, const char* name, int frames);
    std::mutex checkpointer_mutex_;             // guards checkpointer_
    std::unique_ptr<Connection> checkpointer_;  // the checkpointer thread's, and checkpoint()'s
    std::mutex checkpoint_mutex_;               // guards the two below
    std::condition_variable checkpoint_wanted_;
    bool checkpoint_due_ = false;
    bool checkpointer_stopping_ = false;
    std::atomic<int> log_frames_at_checkpoint_{0};  // the log's length the last one saw
    std::atomic<std::uint64_t> checkpoints_done_{0};
    int log_frames_ = 0;                   // after the last commit; the writer thread's
    std::uint64_t passes_at_restart_ = 0;  // checkpoints_done_ at its last restart_log_if_due
    std::thread checkpointer_thread_;

    std::mutex readers_mutex_;  // guards readers_
    std::condition_variable reader_available_;
    std::vector<std::unique_ptr<Connection>> readers_;
};

}  // namespace contactd::storage::sqlite
