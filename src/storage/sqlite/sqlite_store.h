#pragma once
// The SQLite backend of Store: one writer connection (writers take turns, each in a
// BEGIN IMMEDIATE transaction) and a small pool of reader connections (WAL lets them
// read while a write is under way).
//
// Durability: journal_mode=WAL with synchronous=FULL, so a committed consumed code or
// rotated refresh token survives a power loss. write_relaxed() commits with
// synchronous=NORMAL (no fsync; the next FULL commit makes it durable too). Foreign keys are on for
// every connection.
#include <SQLiteCpp/Database.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

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

  protected:
    void run_read(const Work& work) override;
    void run_write(const Work& work) override;
    void run_write_relaxed(const Work& work) override;

  private:
    std::unique_ptr<SQLite::Database> open(bool read_only) const;
    std::unique_ptr<SQLite::Database> take_reader();
    void give_back_reader(std::unique_ptr<SQLite::Database> reader);

    const std::string path_;
    std::mutex write_mutex_;  // guards writer_
    std::unique_ptr<SQLite::Database> writer_;

    std::mutex readers_mutex_;  // guards readers_
    std::condition_variable reader_available_;
    std::vector<std::unique_ptr<SQLite::Database>> readers_;
};

}  // namespace contactd::storage::sqlite
