#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"
#include "storage/sqlite/statement_helpers.h"

namespace contactd::storage::sqlite {
namespace {

constexpr const char* kSelect =
    "SELECT id, channel, recipient, kind, subject, body, html_body, contact_id, otp_id, status,"
    " attempts, next_attempt_at, last_error, created_at, sent_at FROM outbox ";

MessageRecord read_message(SQLite::Statement& s) {
    MessageRecord m;
    m.id = s.getColumn(0).getString();
    m.channel = s.getColumn(1).getString();
    m.recipient = s.getColumn(2).getString();
    m.kind = s.getColumn(3).getString();
    m.subject = optional_text(s, 4);
    m.body = optional_text(s, 5);
    m.html_body = optional_text(s, 6);
    m.contact_id = optional_text(s, 7);
    m.otp_id = optional_text(s, 8);
    m.status = s.getColumn(9).getString();
    m.attempts = s.getColumn(10).getInt();
    m.next_attempt_at = s.getColumn(11).getInt64();
    m.last_error = optional_text(s, 12);
    m.created_at = s.getColumn(13).getInt64();
    m.sent_at = optional_int(s, 14);
    return m;
}

std::vector<MessageRecord> read_all(SQLite::Statement& s) {
    std::vector<MessageRecord> out;
    while (s.executeStep()) out.push_back(read_message(s));
    return out;
}

}  // namespace

void SqliteOutbox::insert(const MessageRecord& m) {
    auto s_lease = db_.prepare(
        "INSERT INTO outbox (id, channel, recipient, kind, subject, body, html_body, contact_id,"
        " otp_id, status, attempts, next_attempt_at, last_error, created_at, sent_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    auto& s = *s_lease;
    s.bind(1, m.id);
    s.bind(2, m.channel);
    s.bind(3, m.recipient);
    s.bind(4, m.kind);
    bind(s, 5, m.subject);
    bind(s, 6, m.body);
    bind(s, 7, m.html_body);
    bind(s, 8, m.contact_id);
    bind(s, 9, m.otp_id);
    s.bind(10, m.status);
    s.bind(11, m.attempts);
    s.bind(12, m.next_attempt_at);
    bind(s, 13, m.last_error);
    s.bind(14, m.created_at);
    bind(s, 15, m.sent_at);
    s.exec();
}

std::optional<MessageRecord> SqliteOutbox::find(const std::string& id) {
    auto s_lease = db_.prepare(std::string(kSelect) + "WHERE id = ?");
    auto& s = *s_lease;
    s.bind(1, id);
    if (!s.executeStep()) return std::nullopt;
    return read_message(s);
}

std::vector<MessageRecord> SqliteOutbox::due(std::int64_t now, int limit) {
    auto s_lease = db_.prepare(std::string(kSelect) +
                               "WHERE status = 'PENDING' AND next_attempt_at <= ?"
                               " ORDER BY next_attempt_at, created_at LIMIT ?");
    auto& s = *s_lease;
    s.bind(1, now);
    s.bind(2, limit);
    return read_all(s);
}

void SqliteOutbox::update_delivery(const MessageRecord& m) {
    auto s_lease = db_.prepare(
        "UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?,"
        " sent_at = ?, body = ?, html_body = ? WHERE id = ?");
    auto& s = *s_lease;
    s.bind(1, m.status);
    s.bind(2, m.attempts);
    s.bind(3, m.next_attempt_at);
    bind(s, 4, m.last_error);
    bind(s, 5, m.sent_at);
    bind(s, 6, m.body);
    bind(s, 7, m.html_body);
    s.bind(8, m.id);
    s.exec();
}

std::vector<MessageRecord> SqliteOutbox::list_development(int limit) {
    auto s_lease =
        db_.prepare(std::string(kSelect) +
                    "WHERE status = 'DEVELOPMENT' ORDER BY created_at DESC, rowid DESC LIMIT ?");
    auto& s = *s_lease;
    s.bind(1, limit);
    return read_all(s);
}

void SqliteOutbox::record_attempt(const MessageAttemptRecord& a) {
    auto s_lease = db_.prepare(
        "INSERT INTO message_attempts (message_id, attempt, at, outcome, detail) "
        "VALUES (?,?,?,?,?)");
    auto& s = *s_lease;
    s.bind(1, a.message_id);
    s.bind(2, a.attempt);
    s.bind(3, a.at);
    s.bind(4, a.outcome);
    bind(s, 5, a.detail);
    s.exec();
}

std::vector<MessageAttemptRecord> SqliteOutbox::list_attempts(const std::string& message_id) {
    auto s_lease = db_.prepare(
        "SELECT message_id, attempt, at, outcome, detail FROM message_attempts"
        " WHERE message_id = ? ORDER BY attempt");
    auto& s = *s_lease;
    s.bind(1, message_id);
    std::vector<MessageAttemptRecord> out;
    while (s.executeStep()) {
        MessageAttemptRecord a;
        a.message_id = s.getColumn(0).getString();
        a.attempt = s.getColumn(1).getInt();
        a.at = s.getColumn(2).getInt64();
        a.outcome = s.getColumn(3).getString();
        a.detail = optional_text(s, 4);
        out.push_back(std::move(a));
    }
    return out;
}

namespace {

// "WHERE ..." for the filter's given fields; bind_filter binds them in the same order.
std::string filter_clause(const OutboxRepository::Filter& f) {
    std::string where;
    auto add = [&](const char* condition) {
        where += (where.empty() ? "WHERE " : " AND ") + std::string(condition);
    };
    if (f.contact_id) add("contact_id = ?");
    if (f.status) add("status = ?");
    return where;
}

int bind_filter(SQLite::Statement& s, const OutboxRepository::Filter& f) {
    int index = 0;
    if (f.contact_id) s.bind(++index, *f.contact_id);
    if (f.status) s.bind(++index, *f.status);
    return index;
}

}  // namespace

std::vector<MessageRecord> SqliteOutbox::list(const Filter& filter, std::int64_t offset,
                                              int limit) {
    auto s_lease = db_.prepare(std::string(kSelect) + filter_clause(filter) +
                               " ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?");
    auto& s = *s_lease;
    const int index = bind_filter(s, filter);
    s.bind(index + 1, limit);
    s.bind(index + 2, offset);
    return read_all(s);
}

std::int64_t SqliteOutbox::count(const Filter& filter) {
    auto s_lease = db_.prepare("SELECT count(*) FROM outbox " + filter_clause(filter));
    auto& s = *s_lease;
    bind_filter(s, filter);
    s.executeStep();
    return s.getColumn(0).getInt64();
}

}  // namespace contactd::storage::sqlite
