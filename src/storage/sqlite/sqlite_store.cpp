#include "storage/sqlite/sqlite_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <mutex>
#include <stdexcept>

#include "storage/sqlite/block_cache_allocator.h"
#include "storage/sqlite/migrator.h"
#include "storage/sqlite/sqlite_repositories.h"
#include "storage/sqlite/wal_write_vfs.h"
#include "util/completion.h"
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

// Process-wide settings, only possible before SQLite initializes (else SQLITE_MISUSE,
// harmless): before the first open.
// - SQLite's memory statistics take a global mutex on every allocation, which the writer,
//   the readers and the checkpointer all contend for; contactd reads none of them.
// - Its allocator keeps the writer's sub-journal blocks (block_cache_allocator.h).
void configure_library() {
    static std::once_flag once;
    std::call_once(once, [] {
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        block_cache::install();
    });
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path, std::size_t readers) : path_(path) {
    configure_library();
    writer_ = open(false);
    writer_->exec("PRAGMA journal_mode = WAL");
    apply_migrations(*writer_);
    for (std::size_t i = 0; i < readers; ++i) readers_.push_back(open(true));
    checkpointer_ = open(false);
    writer_->exec("PRAGMA wal_autocheckpoint = 0");
    sqlite3_wal_hook(writer_->getHandle(), &SqliteStore::on_wal_commit, this);
    checkpointer_thread_ = std::thread([this] { checkpointer_loop(); });
    writer_thread_ = std::thread([this] { writer_loop(); });
}

int SqliteStore::on_wal_commit(void* store, sqlite3*, const char*, int frames) {
    auto* self = static_cast<SqliteStore*>(store);
    self->log_frames_ = frames;  // on the writer thread, as restart_log_if_due()
    // Once kCheckpointFrames have been added since the last checkpoint, not at every commit
    // once the log is that long (it stays long until restart_log_if_due): each checkpoint
    // syncs the log and the database, syncs that queued on the disk ahead of the writer's
    // own, and copied the same hot pages again and again (validate-otp: a tenth of the CPU
    // per request). A log shorter than at the last checkpoint has restarted.
    const int at_last = self->log_frames_at_checkpoint_.load(std::memory_order_relaxed);
    if (frames >= kCheckpointFrames &&
        (frames < at_last || frames - at_last >= kCheckpointFrames)) {
        {
            std::lock_guard lock(self->checkpoint_mutex_);
            self->checkpoint_due_ = true;
        }
        self->checkpoint_wanted_.notify_one();
    }
    return SQLITE_OK;
}

void SqliteStore::checkpointer_loop() {
    std::unique_lock lock(checkpoint_mutex_);
    for (;;) {
        checkpoint_wanted_.wait(lock, [&] { return checkpoint_due_ || checkpointer_stopping_; });
        if (checkpointer_stopping_) return;
        checkpoint_due_ = false;
        lock.unlock();
        checkpoint_passively();
        lock.lock();
    }
}

void SqliteStore::checkpoint_passively() {
    std::lock_guard lock(checkpointer_mutex_);
    // PASSIVE: copies what no reader still needs, never waits for readers or writers.
    int log_frames = 0;
    const int rc = sqlite3_wal_checkpoint_v2(checkpointer_->getHandle(), nullptr,
                                             SQLITE_CHECKPOINT_PASSIVE, &log_frames, nullptr);
    log_frames_at_checkpoint_.store(log_frames, std::memory_order_relaxed);
    ++checkpoints_done_;
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        log::warn(std::string("checkpoint failed: ") + sqlite3_errstr(rc));
}

void SqliteStore::restart_log_if_due() {
    // The checkpointer copies while the writer appends, so under steady writes it never
    // reaches the log's end, and SQLite starts the log anew only at a write that finds all
    // of it copied: the log grew by hundreds of megabytes a minute of load. Once it is
    // kRestartFrames long and a checkpointer pass has just copied nearly all of it, the
    // writer copies the rest itself, between batches; the next write then restarts it.
    if (log_frames_ < kRestartFrames) return;
    // Once after each pass: a reader that kept this copy from finishing may keep on.
    const auto passes = checkpoints_done_.load();
    if (passes == passes_at_restart_) return;
    // Not before a pass has copied most of it, as a long copy holds writes back; unless
    // the writer outruns the passes, which would leave the log growing again.
    const int copied_to = log_frames_at_checkpoint_.load(std::memory_order_relaxed);
    if (log_frames_ - copied_to > kCheckpointFrames / 4 && log_frames_ < 2 * kRestartFrames) return;
    passes_at_restart_ = passes;
    const int rc = sqlite3_wal_checkpoint_v2(writer_->getHandle(), nullptr,
                                             SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        log::warn(std::string("checkpoint before restarting the log failed: ") +
                  sqlite3_errstr(rc));
}

SqliteStore::~SqliteStore() {
    {
        std::lock_guard lock(queue_mutex_);
        stopping_ = true;
    }
    queued_.notify_all();
    writer_thread_.join();  // after every write already queued
    {
        std::lock_guard lock(checkpoint_mutex_);
        checkpointer_stopping_ = true;
    }
    checkpoint_wanted_.notify_all();
    checkpointer_thread_.join();
    {
        std::lock_guard lock(checkpointer_mutex_);
        checkpointer_.reset();
    }
    std::lock_guard lock(writer_mutex_);
    try {
        writer_->exec("PRAGMA optimize");
    } catch (const std::exception&) {
        // Best effort only.
    }
}

std::unique_ptr<Connection> SqliteStore::open(bool read_only) const {
    const int flags =
        read_only ? SQLite::OPEN_READONLY : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    // Writers join their log writes (wal_write_vfs.h); readers write no log.
    auto db = std::make_unique<Connection>(path_, flags | SQLite::OPEN_NOMUTEX, kBusyTimeoutMs,
                                           read_only ? "" : wal_write_vfs());
    db->exec("PRAGMA foreign_keys = ON");
    if (!read_only) {
        db->exec("PRAGMA synchronous = FULL");
        // Erased message texts (they hold codes) are overwritten in the file, not just
        // unlinked from the b-tree; the WAL is cut back after checkpoints.
        db->exec("PRAGMA secure_delete = ON");
        // A restarted log keeps the file's length up to kRestartFrames pages (and their
        // frame headers): cut back to less at every restart, it was grown again at once.
        db->exec("PRAGMA journal_size_limit = 17825792");
        // The savepoint of each write keeps the pages it first touches in a sub-journal:
        // in memory, not a temporary file written page by page (a third of all writes).
        db->exec("PRAGMA temp_store = MEMORY");
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
    // The log is copied into the database first while writes go on; the writes then wait
    // only for what was committed since, and for the log's truncation. (All of it under
    // the writer's lock had held every write for up to a second after a burst.)
    checkpoint_passively();
    std::lock_guard lock(writer_mutex_);                    // between batches
    const auto started = std::chrono::steady_clock::now();  // writes wait from here
    // Writers wait for this, so it waits for readers only briefly.
    writer_->setBusyTimeout(200);
    try {
        writer_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (const std::exception& e) {
        log::warn(std::string("checkpoint postponed: ") + e.what());
    }
    writer_->setBusyTimeout(kBusyTimeoutMs);
    const auto held = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (held >= kSlowCheckpoint)
        log::warn("a checkpoint held writes back for " + std::to_string(held.count()) + " ms");
}

void SqliteStore::release_memory() {
    {
        std::lock_guard lock(readers_mutex_);  // only idle readers are in readers_
        for (auto& reader : readers_) sqlite3_db_release_memory(reader->getHandle());
    }
    std::lock_guard lock(writer_mutex_);
    sqlite3_db_release_memory(writer_->getHandle());
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

struct SqliteStore::PendingWrite {
    const Work* work;
    bool relaxed;
    std::string request_id;  // the writer thread logs under the request's id
    std::exception_ptr error;
    Completion answered;
    PendingWrite* wake_next = nullptr;  // the next member of its batch, woken by this one
};

void SqliteStore::write_in_batch(const Work& work, bool relaxed) {
    // Run on the writer thread, it would wait for itself.
    if (std::this_thread::get_id() == writer_thread_.get_id())
        throw std::logic_error("a write inside a write");
    PendingWrite pending{&work, relaxed, log::current_request_id(), nullptr, {}};
    {
        std::lock_guard lock(queue_mutex_);
        if (stopping_) throw std::runtime_error("the store is closing");
        queue_.push_back(&pending);
    }
    queued_.notify_one();
    pending.answered.wait();
    if (pending.wake_next) pending.wake_next->answered.done();
    if (pending.error) std::rethrow_exception(pending.error);
}

void SqliteStore::writer_loop() {
    block_cache::cache_on_this_thread();
    for (;;) {
        PendingWrite* first = nullptr;
        {
            std::unique_lock lock(queue_mutex_);
            queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) break;  // stopping, and every write answered
            first = queue_.front();
            queue_.pop_front();
        }
        run_batch(*first);
    }
    block_cache::release_on_this_thread();
}

void SqliteStore::run_batch(PendingWrite& first) {
    std::vector<PendingWrite*> members{&first};
    // The writer wakes the first member only, and each member the next: a wake-up is a
    // system call, and made here it would hold up the next batch, which waits for this
    // thread alone, while the members wake each other on the other workers.
    const auto answer_all = [&](std::exception_ptr error) {
        ++batches_done_;  // before any member returns and looks
        for (std::size_t i = 0; i < members.size(); ++i) {
            if (error && !members[i]->error) members[i]->error = error;
            if (i + 1 < members.size()) members[i]->wake_next = members[i + 1];
        }
        members.front()->answered.done();  // no member may be touched from here on
    };
    std::lock_guard writer_lock(writer_mutex_);
    const bool relaxed = first.relaxed;
    const auto opened = std::chrono::steady_clock::now();
    restart_log_if_due();
    try {
        // synchronous may not change inside a transaction: it is set for the whole batch.
        if (relaxed) writer_->run("PRAGMA synchronous = NORMAL");
        writer_->run("BEGIN IMMEDIATE");
    } catch (...) {
        restore_full_sync(relaxed);
        answer_all(std::current_exception());
        return;
    }
    for (PendingWrite* member = &first; member;) {
        if (!run_member(*member)) {
            // SQLite ended the whole transaction (an I/O error, a full disk): the writes
            // before this one in the batch are gone too, and their writers must hear it.
            restore_full_sync(relaxed);
            answer_all(std::make_exception_ptr(
                std::runtime_error("the transaction was rolled back by the database")));
            return;
        }
        // Whatever arrived meanwhile joins, within the bounds; a write that must reach the
        // disk never joins a batch that will not sync.
        member = nullptr;
        std::lock_guard lock(queue_mutex_);
        if (!queue_.empty() && members.size() < kMaxBatchWrites &&
            std::chrono::steady_clock::now() - opened < kMaxBatchAge &&
            (!relaxed || queue_.front()->relaxed)) {
            member = queue_.front();
            queue_.pop_front();
            members.push_back(member);
        }
    }
    std::exception_ptr failed;
    try {
        writer_->run("COMMIT");
    } catch (...) {
        failed = std::current_exception();
        try {
            if (sqlite3_get_autocommit(writer_->getHandle()) == 0) writer_->run("ROLLBACK");
        } catch (const std::exception& e) {
            log::error(std::string("rollback failed: ") + e.what());
        }
    }
    restore_full_sync(relaxed);
    answer_all(failed);
}

bool SqliteStore::run_member(PendingWrite& member) {
    const log::RequestScope scope(member.request_id);
    try {
        writer_->run("SAVEPOINT contactd_write");
        SqliteRepositories repos(*writer_);
        (*member.work)(repos);
        writer_->run("RELEASE contactd_write");
        return true;
    } catch (...) {
        member.error = std::current_exception();
    }
    try {
        writer_->run("ROLLBACK TO contactd_write");
        writer_->run("RELEASE contactd_write");
    } catch (const std::exception& e) {
        log::error(std::string("rolling back a write failed: ") + e.what());
    }
    return sqlite3_get_autocommit(writer_->getHandle()) == 0;
}

void SqliteStore::restore_full_sync(bool relaxed) {
    if (!relaxed) return;
    try {
        writer_->run("PRAGMA synchronous = FULL");
    } catch (const std::exception& e) {
        log::error(std::string("restoring synchronous = FULL failed: ") + e.what());
    }
}

}  // namespace contactd::storage::sqlite
