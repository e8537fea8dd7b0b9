#include "storage/sqlite/sqlite_store.h"

#include <SQLiteCpp/SQLiteCpp.h>

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
    TransactionGuard(SQLite::Database& db, const char* begin) : db_(db) { db_.exec(begin); }
    ~TransactionGuard() {
        if (!done_) {
            try {
                db_.exec("ROLLBACK");
            } catch (const std::exception& e) {
                log::error(std::string("rollback failed: ") + e.what());
            }
        }
    }
    void commit() {
        db_.exec("COMMIT");
        done_ = true;
    }

  private:
    SQLite::Database& db_;
    bool done_ = false;
};

// Commits of this scope skip the fsync (see write_relaxed() in storage/store.h).
class RelaxedSync {
  public:
    explicit RelaxedSync(SQLite::Database& db) : db_(db) {
        db_.exec("PRAGMA synchronous = NORMAL");
    }
    ~RelaxedSync() {
        try {
            db_.exec("PRAGMA synchronous = FULL");
        } catch (const std::exception& e) {
            log::error(std::string("restoring synchronous = FULL failed: ") + e.what());
        }
    }

  private:
    SQLite::Database& db_;
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
    try {
        writer_->exec("PRAGMA optimize");
    } catch (const std::exception&) {
        // Best effort only.
    }
}

std::unique_ptr<SQLite::Database> SqliteStore::open(bool read_only) const {
    const int flags =
        read_only ? SQLite::OPEN_READONLY : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    auto db =
        std::make_unique<SQLite::Database>(path_, flags | SQLite::OPEN_NOMUTEX, kBusyTimeoutMs);
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
    // Writers wait for this, so it waits for readers only briefly.
    writer_->setBusyTimeout(200);
    try {
        writer_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (const std::exception& e) {
        log::warn(std::string("checkpoint postponed: ") + e.what());
    }
    writer_->setBusyTimeout(kBusyTimeoutMs);
}

std::unique_ptr<SQLite::Database> SqliteStore::take_reader() {
    std::unique_lock lock(readers_mutex_);
    reader_available_.wait(lock, [this] { return !readers_.empty(); });
    auto reader = std::move(readers_.back());
    readers_.pop_back();
    return reader;
}

void SqliteStore::give_back_reader(std::unique_ptr<SQLite::Database> reader) {
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
    std::lock_guard lock(write_mutex_);
    TransactionGuard tx(*writer_, "BEGIN IMMEDIATE");
    SqliteRepositories repos(*writer_);
    work(repos);
    tx.commit();
}

void SqliteStore::run_write_relaxed(const Work& work) {
    std::lock_guard lock(write_mutex_);
    RelaxedSync relaxed(*writer_);
    TransactionGuard tx(*writer_, "BEGIN IMMEDIATE");
    SqliteRepositories repos(*writer_);
    work(repos);
    tx.commit();
}

}  // namespace contactd::storage::sqlite
