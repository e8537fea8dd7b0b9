#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"

namespace contactd::storage::sqlite {

LimiterRepository::Take SqliteLimiter::take_token(const std::string& key, double now,
                                                  double interval, int burst) {
    // One upsert: a new key starts with a full bucket less one token; an existing one
    // takes a token only while the bucket has one (an emptied bucket's full_at lies
    // `burst * interval` ahead). A refusal changes nothing. Whether it took is the change
    // count, not RETURNING (see SqliteOtps::increment_attempts).
    auto take_lease = db_.prepare(
        "INSERT INTO limiter_buckets (key, full_at) VALUES (?1, ?2 + ?3)"
        " ON CONFLICT (key) DO UPDATE SET full_at = max(full_at, ?2) + ?3"
        " WHERE max(full_at, ?2) + ?3 <= ?2 + ?4");
    auto& take = *take_lease;
    take.bind(1, key);
    take.bind(2, now);
    take.bind(3, interval);
    take.bind(4, interval * burst);
    const bool taken = take.exec() > 0;
    auto current_lease = db_.prepare("SELECT full_at FROM limiter_buckets WHERE key = ?");
    auto& current = *current_lease;
    current.bind(1, key);
    return Take{taken, current.executeStep() ? current.getColumn(0).getDouble() : now};
}

bool SqliteLimiter::count(const std::string& key, std::int64_t expires_at, int limit) {
    if (limit <= 0) return false;
    auto s_lease = db_.prepare(
        "INSERT INTO limiter_counters (key, count, expires_at) VALUES (?1, 1, ?2)"
        " ON CONFLICT (key) DO UPDATE SET count = count + 1 WHERE count < ?3");
    auto& s = *s_lease;
    s.bind(1, key);
    s.bind(2, expires_at);
    s.bind(3, limit);
    return s.exec() > 0;
}

int SqliteLimiter::counted(const std::string& key) {
    auto s_lease = db_.prepare("SELECT count FROM limiter_counters WHERE key = ?");
    auto& s = *s_lease;
    s.bind(1, key);
    return s.executeStep() ? s.getColumn(0).getInt() : 0;
}

std::int64_t SqliteLimiter::purge_expired(std::int64_t now) {
    auto buckets_lease = db_.prepare("DELETE FROM limiter_buckets WHERE full_at <= ?");
    auto& buckets = *buckets_lease;
    buckets.bind(1, static_cast<double>(now));
    std::int64_t removed = buckets.exec();
    auto counters_lease = db_.prepare("DELETE FROM limiter_counters WHERE expires_at <= ?");
    auto& counters = *counters_lease;
    counters.bind(1, now);
    removed += counters.exec();
    return removed;
}

}  // namespace contactd::storage::sqlite
