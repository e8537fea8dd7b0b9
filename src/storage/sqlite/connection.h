#pragma once
// One SQLite connection of SqliteStore with its own small cache of prepared statements.
//
// Repositories on the hot paths ask for their statements with prepare(sql) instead of
// constructing SQLite::Statement each call (which parses and plans the SQL again every
// time). The lease hands out a statement that is reset and has no bindings, and resets it
// again when it ends, so no statement stays active past its use (a read cursor left open
// would keep its snapshot). A statement already leased (a nested use of the same SQL)
// gets a fresh one of its own; the cache keeps at most kMaxCached statements.
//
// Thread-safety: as SQLite::Database opened with SQLITE_OPEN_NOMUTEX, one thread at a time
// (SqliteStore hands each connection to one transaction at a time).
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <memory>
#include <string>
#include <unordered_map>

namespace contactd::storage::sqlite {

class Connection final : public SQLite::Database {
  public:
    static constexpr std::size_t kMaxCached = 96;

    Connection(const std::string& path, int flags, int busy_timeout_ms, const std::string& vfs = "")
        : SQLite::Database(path, flags, busy_timeout_ms, vfs) {}

    class Lease {
      public:
        Lease(Lease&& other) noexcept
            : statement_(other.statement_), in_use_(other.in_use_), own_(std::move(other.own_)) {
            other.statement_ = nullptr;
            other.in_use_ = nullptr;
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (!statement_) return;
            statement_->tryReset();
            if (in_use_) *in_use_ = false;
        }
        SQLite::Statement& operator*() const { return *statement_; }
        SQLite::Statement* operator->() const { return statement_; }

      private:
        friend class Connection;
        Lease(SQLite::Statement* statement, bool* in_use)
            : statement_(statement), in_use_(in_use) {}
        explicit Lease(std::unique_ptr<SQLite::Statement> own)
            : statement_(own.get()), own_(std::move(own)) {}
        SQLite::Statement* statement_;
        bool* in_use_ = nullptr;
        std::unique_ptr<SQLite::Statement> own_;  // not cached: a nested use
    };

    // Throws SQLite::Exception when `sql` does not prepare.
    Lease prepare(const std::string& sql) {
        if (const auto it = cache_.find(sql); it != cache_.end()) {
            Entry& entry = *it->second;
            if (entry.in_use) return Lease(std::make_unique<SQLite::Statement>(*this, sql));
            entry.statement.tryReset();
            entry.statement.clearBindings();
            entry.in_use = true;
            return Lease(&entry.statement, &entry.in_use);
        }
        if (cache_.size() >= kMaxCached) evict_idle();
        auto entry = std::make_unique<Entry>(*this, sql);
        Entry& kept = *entry;
        cache_.emplace(sql, std::move(entry));
        kept.in_use = true;
        return Lease(&kept.statement, &kept.in_use);
    }

    // Runs a statement that returns no rows (BEGIN, COMMIT, SAVEPOINT…) from the cache:
    // SQLite::Database::exec parses its SQL again on every call.
    void run(const std::string& sql) { prepare(sql)->exec(); }

    std::size_t cached_statements() const { return cache_.size(); }

  private:
    struct Entry {
        Entry(SQLite::Database& db, const std::string& sql) : statement(db, sql) {}
        SQLite::Statement statement;
        bool in_use = false;
    };
    void evict_idle() {
        for (auto it = cache_.begin(); it != cache_.end();) {
            it = it->second->in_use ? std::next(it) : cache_.erase(it);
        }
    }
    std::unordered_map<std::string, std::unique_ptr<Entry>> cache_;
};

}  // namespace contactd::storage::sqlite
