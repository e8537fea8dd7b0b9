#include "storage/sqlite/sqlite_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <stdexcept>

#include "storage/sqlite/migrator.h"
#include "storage/sqlite/sqlite_repositories.h"
#include "util/log.h"

namespace contactd::storage::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// Rolls back unless committed: the transaction object SQLiteCpp offers cannot begin
// IMMEDIATE and DEFERRED by choice at run time in every version, so this is explicit.
class TransactionGuard {
  public:
    TransactionGuard(Connection& db, const char* begin) : db_(db) { db_.run(begin); }
    ~TransactionGuard() {
        if (!done_) {
            try {
                db_.run("ROLLBACK");
            } catch (const std::exception& e) {
                log::error(std::string("rollback failed: ") + e.what());
            }
        }
    }
    void commit() {
        db_.run("COMMIT");
        done_ = true;
    }

  private:
    Connection& db_;
    bool done_ = false;
};

}  // namespace

SqliteStore::SqliteStore(const std::string& path, std::size_t readers) : path_(path) {
    writer_ = open(false);
    writer_->exec("PRAGMA journal_mode = WAL");
    apply_migrations(*writer_);
    for (std::size_t i = 0; i < readers; ++i) readers_.push_back(open(true));
}

SqliteStore::~SqliteStore() {
    std::lock_guard lock(write_mutex_);
    if (batch_open_) commit_batch_locked();
    try {
        writer_->exec("PRAGMA optimize");
    } catch (const std::exception&) {
        // Best effort only.
    }
}

std::unique_ptr<Connection> SqliteStore::open(bool read_only) const {
    const int flags =
        read_only ? SQLite::OPEN_READONLY : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    auto db = std::make_unique<Connection>(path_, flags | SQLite::OPEN_NOMUTEX, kBusyTimeoutMs);
    db->exec("PRAGMA foreign_keys = ON");
    if (!read_only) {
        db->exec("PRAGMA synchronous = FULL");
        // Erased message texts (they hold codes) are overwritten in the file, not just
        // unlinked from the b-tree; the WAL is cut back after checkpoints.
        db->exec("PRAGMA secure_delete = ON");
        db->exec("PRAGMA journal_size_limit = 4194304");
    }
    return db;
}

bool SqliteStore::healthy() {
    try {
        return read([](Repositories& repos) {
            repos.settings().get("health");
            return true;
        });
    } catch (const std::exception&) {
        return false;
    }
}

void SqliteStore::checkpoint() {
    std::lock_guard lock(write_mutex_);
    if (batch_open_) commit_batch_locked();
    // Writers wait for this, so it waits for readers only briefly.
    writer_->setBusyTimeout(200);
    try {
        writer_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (const std::exception& e) {
        log::warn(std::string("checkpoint postponed: ") + e.what());
    }
    writer_->setBusyTimeout(kBusyTimeoutMs);
}

std::unique_ptr<Connection> SqliteStore::take_reader() {
    std::unique_lock lock(readers_mutex_);
    reader_available_.wait(lock, [this] { return !readers_.empty(); });
    auto reader = std::move(readers_.back());
    readers_.pop_back();
    return reader;
}

void SqliteStore::give_back_reader(std::unique_ptr<Connection> reader) {
    {
        std::lock_guard lock(readers_mutex_);
        readers_.push_back(std::move(reader));
    }
    reader_available_.notify_one();
}

void SqliteStore::run_read(const Work& work) {
    auto reader = take_reader();
    try {
        TransactionGuard tx(*reader, "BEGIN");
        SqliteRepositories repos(*reader);
        work(repos);
        tx.commit();
    } catch (...) {
        give_back_reader(std::move(reader));
        throw;
    }
    give_back_reader(std::move(reader));
}

void SqliteStore::run_write(const Work& work) {
    write_in_batch(work, false);
}

void SqliteStore::run_write_relaxed(const Work& work) {
    write_in_batch(work, true);
}

void SqliteStore::write_in_batch(const Work& work, bool relaxed) {
    ++writers_waiting_;
    std::unique_lock lock(write_mutex_);
    --writers_waiting_;
    // A write that must reach the disk never rides in a batch that will not sync.
    if (batch_open_ && batch_relaxed_ && !relaxed) commit_batch_locked();
    if (!batch_open_) open_batch_locked(relaxed);
    const auto mine = batch_;
    ++batch_writes_;

    std::exception_ptr own;
    writer_->run("SAVEPOINT contactd_write");
    try {
        SqliteRepositories repos(*writer_);
        work(repos);
        writer_->run("RELEASE contactd_write");
    } catch (...) {
        own = std::current_exception();
        try {
            writer_->run("ROLLBACK TO contactd_write");
            writer_->run("RELEASE contactd_write");
        } catch (const std::exception& e) {
            log::error(std::string("rolling back a write failed: ") + e.what());
        }
        if (sqlite3_get_autocommit(writer_->getHandle()) != 0) {
            // SQLite ended the whole transaction (an I/O error, a full disk): the writes
            // before this one in the batch are gone too, and their writers must hear it.
            failed_batches_[mine] = {std::make_exception_ptr(std::runtime_error(
                                         "the transaction was rolled back by the database")),
                                     batch_writes_};
            batch_open_ = false;
            batch_writes_ = 0;
            finished_batch_ = mine;
            ++batches_done_;
            if (batch_relaxed_) writer_->exec("PRAGMA synchronous = FULL");
            batch_done_.notify_all();
        }
    }
    // Commit now unless another writer is about to join a batch that still has room.
    if (batch_open_ && batch_ == mine &&
        (writers_waiting_.load() == 0 || batch_writes_ >= kMaxBatchWrites ||
         std::chrono::steady_clock::now() - batch_opened_ >= kMaxBatchAge)) {
        commit_batch_locked();
    }
    batch_done_.wait(lock, [&] { return finished_batch_ >= mine; });
    if (const auto failed = failed_batches_.find(mine); failed != failed_batches_.end()) {
        const auto error = failed->second.error;
        if (--failed->second.unread == 0) failed_batches_.erase(failed);
        std::rethrow_exception(own ? own : error);
    }
    if (own) std::rethrow_exception(own);
}

void SqliteStore::open_batch_locked(bool relaxed) {
    // synchronous may not change inside a transaction: it is set for the whole batch.
    if (relaxed) writer_->exec("PRAGMA synchronous = NORMAL");
    try {
        writer_->run("BEGIN IMMEDIATE");
    } catch (...) {
        if (relaxed) writer_->exec("PRAGMA synchronous = FULL");
        throw;
    }
    batch_open_ = true;
    batch_relaxed_ = relaxed;
    batch_writes_ = 0;
    batch_opened_ = std::chrono::steady_clock::now();
    ++batch_;
}

void SqliteStore::commit_batch_locked() {
    try {
        writer_->run("COMMIT");
    } catch (...) {
        failed_batches_[batch_] = {std::current_exception(), batch_writes_};
        try {
            if (sqlite3_get_autocommit(writer_->getHandle()) == 0) writer_->exec("ROLLBACK");
        } catch (const std::exception& e) {
            log::error(std::string("rollback failed: ") + e.what());
        }
    }
    batch_open_ = false;
    batch_writes_ = 0;
    finished_batch_ = batch_;
    ++batches_done_;
    if (batch_relaxed_) {
        try {
            writer_->exec("PRAGMA synchronous = FULL");
        } catch (const std::exception& e) {
            log::error(std::string("restoring synchronous = FULL failed: ") + e.what());
        }
    }
    batch_done_.notify_all();
}

}  // namespace contactd::storage::sqlite
