#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"

namespace contactd::storage::sqlite {

void SqliteSignInFailures::insert(const SignInFailureRecord& f) {
    SQLite::Statement s(db_,
                        "INSERT INTO sign_in_failures (id, key_hash, failed_at) VALUES (?,?,?)");
    s.bind(1, f.id);
    s.bind(2, f.key_hash);
    s.bind(3, f.failed_at);
    s.exec();
}

void SqliteSignInFailures::remove(const std::string& id) {
    SQLite::Statement s(db_, "DELETE FROM sign_in_failures WHERE id = ?");
    s.bind(1, id);
    s.exec();
}

SignInFailureRepository::Window SqliteSignInFailures::since(const std::string& key_hash,
                                                            std::int64_t since) {
    SQLite::Statement s(db_,
                        "SELECT count(*), coalesce(min(failed_at), 0), coalesce(max(failed_at), 0)"
                        " FROM sign_in_failures WHERE key_hash = ? AND failed_at >= ?");
    s.bind(1, key_hash);
    s.bind(2, since);
    Window w;
    if (s.executeStep()) {
        w.count = s.getColumn(0).getInt();
        w.oldest = s.getColumn(1).getInt64();
        w.newest = s.getColumn(2).getInt64();
    }
    return w;
}

void SqliteSignInFailures::clear(const std::string& key_hash) {
    SQLite::Statement s(db_, "DELETE FROM sign_in_failures WHERE key_hash = ?");
    s.bind(1, key_hash);
    s.exec();
}

void SqliteSignInFailures::prune(std::int64_t before) {
    SQLite::Statement s(db_, "DELETE FROM sign_in_failures WHERE failed_at < ?");
    s.bind(1, before);
    s.exec();
}

}  // namespace contactd::storage::sqlite
