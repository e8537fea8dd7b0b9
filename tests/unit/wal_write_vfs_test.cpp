// storage::sqlite::wal_write_vfs: log writes joined into fewer system calls, and every
// committed transaction readable at once by a connection of the default VFS.
#include "storage/sqlite/wal_write_vfs.h"

#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "support/test_server.h"

using namespace contactd;
using storage::sqlite::wal_write_vfs;

namespace {

// write-like system calls this thread has made (Linux task I/O accounting).
long long write_calls() {
    std::ifstream io("/proc/thread-self/io");
    std::string key;
    long long value = 0;
    while (io >> key >> value)
        if (key == "syscw:") return value;
    return -1;
}

SQLite::Database open_writer(const std::string& path, const std::string& vfs,
                             const char* synchronous) {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000, vfs);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(std::string("PRAGMA synchronous = ") + synchronous);
    db.exec("PRAGMA wal_autocheckpoint = 0");
    db.exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, n INTEGER, pad BLOB)");
    db.exec("CREATE INDEX IF NOT EXISTS t_n ON t (n)");
    return db;
}

// One transaction of `rows` rows, each with a `bytes` blob: several pages of log.
void insert(SQLite::Database& db, int first, int rows, int bytes) {
    SQLite::Transaction tx(db);
    SQLite::Statement s(db, "INSERT INTO t (n, pad) VALUES (?, zeroblob(?))");
    for (int i = first; i < first + rows; ++i) {
        s.bind(1, i);
        s.bind(2, bytes);
        s.exec();
        s.reset();
    }
    tx.commit();
}

long long write_calls_for(const std::string& path, const std::string& vfs) {
    auto db = open_writer(path, vfs, "NORMAL");
    const auto before = write_calls();
    for (int t = 0; t < 50; ++t) insert(db, t * 4, 4, 1500);
    return write_calls() - before;
}

}  // namespace

TEST_SUITE("storage::wal_write_vfs") {
    TEST_CASE("wal_write_vfs: every commit is in the file before another connection reads it") {
        for (const std::string synchronous : {"NORMAL", "FULL"}) {
            CAPTURE(synchronous);
            test::TempDir dir;
            const auto path = (dir.path() / "w.db").string();
            auto writer = open_writer(path, wal_write_vfs(), synchronous.c_str());
            SQLite::Database reader(path, SQLite::OPEN_READONLY);  // the default VFS
            long long rows = 0, sum = 0;
            for (int t = 0; t < 120; ++t) {
                // Mostly small transactions; every tenth larger than the join buffer.
                const int count = t % 10 == 9 ? 60 : 1 + t % 5;
                insert(writer, static_cast<int>(rows), count, t % 10 == 9 ? 3000 : 700);
                for (int i = 0; i < count; ++i) sum += rows + i;
                rows += count;
                SQLite::Statement q(reader, "SELECT count(*), total(n) FROM t");
                REQUIRE(q.executeStep());
                REQUIRE(q.getColumn(0).getInt64() == rows);
                REQUIRE(static_cast<long long>(q.getColumn(1).getDouble()) == sum);
            }
            // The log folds back into the database intact.
            writer.exec("PRAGMA wal_checkpoint(TRUNCATE)");
            SQLite::Database check(path, SQLite::OPEN_READONLY);
            CHECK(check.execAndGet("PRAGMA integrity_check").getString() == "ok");
            CHECK(check.execAndGet("SELECT count(*) FROM t").getInt64() == rows);
        }
    }

    TEST_CASE("wal_write_vfs: a commit's log frames reach the file in far fewer writes") {
        test::TempDir dir;
        const auto plain = write_calls_for((dir.path() / "plain.db").string(), "");
        const auto joined = write_calls_for((dir.path() / "joined.db").string(), wal_write_vfs());
        CAPTURE(plain);
        CAPTURE(joined);
        REQUIRE(plain > 0);
        // Each transaction writes several frames: SQLite alone makes two calls a frame,
        // joined they are one call a commit.
        CHECK(joined * 3 < plain);
    }

    TEST_CASE("wal_write_vfs: the database survives the process ending without a close") {
        // What a kill -9 leaves: the log as written, no checkpoint. Reopened, every commit
        // is there (the child commits, then exits without closing anything).
        test::TempDir dir;
        const auto path = (dir.path() / "k.db").string();
        const pid_t child = fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            auto db = open_writer(path, wal_write_vfs(), "FULL");
            for (int t = 0; t < 30; ++t) insert(db, t * 3, 3, 900);
            _exit(0);
        }
        int status = 0;
        REQUIRE(waitpid(child, &status, 0) == child);
        REQUIRE(WIFEXITED(status));
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        CHECK(db.execAndGet("SELECT count(*) FROM t").getInt64() == 90);
        CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
    }
}
