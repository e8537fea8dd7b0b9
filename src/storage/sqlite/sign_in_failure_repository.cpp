#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"

namespace contactd::storage::sqlite {

void SqliteSignInFailures::insert(const SignInFailureRecord& f) {
    auto s_lease =
        db_.prepare("INSERT INTO sign_in_failures (id, key_hash, failed_at) VALUES (?,?,?)");
    auto& s = *s_lease;
    s.bind(1, f.id);
    s.bind(2, f.key_hash);
    s.bind(3, f.failed_at);
    s.exec();
}

void SqliteSignInFailures::remove(const std::string& id) {
    auto s_lease = db_.prepare("DELETE FROM sign_in_failures WHERE id = ?");
    auto& s = *s_lease;
    s.bind(1, id);
    s.exec();
}

SignInFailureRepository::Window SqliteSignInFailures::since(const std::string& key_hash,
                                                            std::int64_t since) {
    auto s_lease = db_.prepare(
        "SELECT count(*), coalesce(min(failed_at), 0), coalesce(max(failed_at), 0)"
        " FROM sign_in_failures WHERE key_hash = ? AND failed_at >= ?");
    auto& s = *s_lease;
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
    auto s_lease = db_.prepare("DELETE FROM sign_in_failures WHERE key_hash = ?");
    auto& s = *s_lease;
    s.bind(1, key_hash);
    s.exec();
}

void SqliteSignInFailures::prune(std::int64_t before) {
    auto s_lease = db_.prepare("DELETE FROM sign_in_failures WHERE failed_at < ?");
    auto& s = *s_lease;
    s.bind(1, before);
    s.exec();
}

}  // namespace contactd::storage::sqlite
