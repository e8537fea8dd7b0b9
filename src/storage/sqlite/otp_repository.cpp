#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"
#include "storage/sqlite/statement_helpers.h"

namespace contactd::storage::sqlite {
namespace {

constexpr const char* kSelect =
    "SELECT id, channel, destination, purpose, contact_id, identity_id, code_hmac, attempts,"
    " created_at, expires_at, used_at, cancelled FROM one_time_codes ";

OtpRecord read_otp(SQLite::Statement& s) {
    OtpRecord o;
    o.id = s.getColumn(0).getString();
    o.channel = s.getColumn(1).getString();
    o.destination = s.getColumn(2).getString();
    o.purpose = s.getColumn(3).getString();
    o.contact_id = optional_text(s, 4);
    o.identity_id = optional_text(s, 5);
    o.code_hmac = s.getColumn(6).getString();
    o.attempts = s.getColumn(7).getInt();
    o.created_at = s.getColumn(8).getInt64();
    o.expires_at = s.getColumn(9).getInt64();
    o.used_at = optional_int(s, 10);
    o.cancelled = s.getColumn(11).getInt() != 0;
    return o;
}

}  // namespace

void SqliteOtps::insert(const OtpRecord& o) {
    auto s_lease = db_.prepare(
        "INSERT INTO one_time_codes (id, channel, destination, purpose, contact_id,"
        " identity_id, code_hmac, attempts, created_at, expires_at, used_at, cancelled)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    auto& s = *s_lease;
    s.bind(1, o.id);
    s.bind(2, o.channel);
    s.bind(3, o.destination);
    s.bind(4, o.purpose);
    bind(s, 5, o.contact_id);
    bind(s, 6, o.identity_id);
    s.bind(7, o.code_hmac);
    s.bind(8, o.attempts);
    s.bind(9, o.created_at);
    s.bind(10, o.expires_at);
    bind(s, 11, o.used_at);
    s.bind(12, o.cancelled ? 1 : 0);
    s.exec();
}

std::optional<OtpRecord> SqliteOtps::find(const std::string& id) {
    auto s_lease = db_.prepare(std::string(kSelect) + "WHERE id = ?");
    auto& s = *s_lease;
    s.bind(1, id);
    if (!s.executeStep()) return std::nullopt;
    return read_otp(s);
}

std::optional<OtpRecord> SqliteOtps::latest_for_destination(const std::string& destination) {
    auto s_lease =
        db_.prepare(std::string(kSelect) +
                    "WHERE destination = ? ORDER BY created_at DESC, rowid DESC LIMIT 1");
    auto& s = *s_lease;
    s.bind(1, destination);
    if (!s.executeStep()) return std::nullopt;
    return read_otp(s);
}

OtpRepository::Window SqliteOtps::issued_since(const std::string& destination, std::int64_t since) {
    auto s_lease = db_.prepare(
        "SELECT count(*), coalesce(min(created_at), 0) FROM one_time_codes"
        " WHERE destination = ? AND created_at >= ?");
    auto& s = *s_lease;
    s.bind(1, destination);
    s.bind(2, since);
    s.executeStep();
    return Window{s.getColumn(0).getInt(), s.getColumn(1).getInt64()};
}

int SqliteOtps::increment_attempts(const std::string& id) {
    // Not UPDATE … RETURNING: SQLite runs RETURNING through an ephemeral table, a pager
    // of its own opened and freed per call, on the writer thread that every write waits
    // for. The update and a read by primary key cost less.
    auto update_lease =
        db_.prepare("UPDATE one_time_codes SET attempts = attempts + 1 WHERE id = ?");
    auto& update = *update_lease;
    update.bind(1, id);
    if (update.exec() == 0) return 0;
    auto read_lease = db_.prepare("SELECT attempts FROM one_time_codes WHERE id = ?");
    auto& read = *read_lease;
    read.bind(1, id);
    return read.executeStep() ? read.getColumn(0).getInt() : 0;
}

bool SqliteOtps::consume(const std::string& id, std::int64_t now) {
    auto s_lease =
        db_.prepare("UPDATE one_time_codes SET used_at = ? WHERE id = ? AND used_at IS NULL");
    auto& s = *s_lease;
    s.bind(1, now);
    s.bind(2, id);
    return s.exec() == 1;
}

void SqliteOtps::cancel(const std::string& id) {
    auto s_lease = db_.prepare("UPDATE one_time_codes SET cancelled = 1 WHERE id = ?");
    auto& s = *s_lease;
    s.bind(1, id);
    s.exec();
}

}  // namespace contactd::storage::sqlite
