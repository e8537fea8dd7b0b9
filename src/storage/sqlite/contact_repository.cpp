#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"
#include "storage/sqlite/statement_helpers.h"
#include "util/strings.h"
#include "util/text_fold.h"

namespace contactd::storage::sqlite {
namespace {

constexpr const char* kColumns =
    "id, code, contact_type, title, first_name, middle_name, last_name, company_name, avatar,"
    " email, phone, language_code, sms_opt_out, email_opt_out, service_acceptance, is_verified,"
    " created_at, updated_at, is_guest";

ContactRecord read_contact(SQLite::Statement& s) {
    ContactRecord c;
    c.id = s.getColumn(0).getString();
    c.code = optional_text(s, 1);
    c.contact_type = s.getColumn(2).getString();
    c.title = optional_text(s, 3);
    c.first_name = optional_text(s, 4);
    c.middle_name = optional_text(s, 5);
    c.last_name = optional_text(s, 6);
    c.company_name = optional_text(s, 7);
    c.avatar = optional_text(s, 8);
    c.email = optional_text(s, 9);
    c.phone = optional_text(s, 10);
    c.language_code = optional_text(s, 11);
    c.sms_opt_out = s.getColumn(12).getInt() != 0;
    c.email_opt_out = s.getColumn(13).getInt() != 0;
    c.service_acceptance = s.getColumn(14).getInt() != 0;
    c.is_verified = s.getColumn(15).getInt() != 0;
    c.created_at = s.getColumn(16).getInt64();
    c.updated_at = s.getColumn(17).getInt64();
    c.is_guest = s.getColumn(18).getInt() != 0;
    return c;
}

// Binds every column but id, from index 1, in kColumns order; returns the next index.
int bind_fields(SQLite::Statement& s, const ContactRecord& c) {
    bind(s, 1, c.code);
    s.bind(2, c.contact_type);
    bind(s, 3, c.title);
    bind(s, 4, c.first_name);
    bind(s, 5, c.middle_name);
    bind(s, 6, c.last_name);
    bind(s, 7, c.company_name);
    bind(s, 8, c.avatar);
    bind(s, 9, c.email);
    bind(s, 10, c.email ? std::optional<std::string>(to_lower(*c.email)) : std::nullopt);
    bind(s, 11, c.phone);
    bind(s, 12, c.language_code);
    s.bind(13, c.sms_opt_out ? 1 : 0);
    s.bind(14, c.email_opt_out ? 1 : 0);
    s.bind(15, c.service_acceptance ? 1 : 0);
    s.bind(16, c.is_verified ? 1 : 0);
    s.bind(17, c.created_at);
    s.bind(18, c.updated_at);
    // The folded copies search_value matches (sql/010_folded_search.sql).
    bind(s, 19, fold_optional(c.first_name));
    bind(s, 20, fold_optional(c.last_name));
    bind(s, 21, fold_optional(c.company_name));
    bind(s, 22, fold_optional(c.email));
    bind(s, 23, fold_optional(c.code));
    return 24;
}

}  // namespace

void SqliteContacts::insert(const ContactRecord& c) {
    auto s_lease = db_.prepare(
        "INSERT INTO contacts (code, contact_type, title, first_name, middle_name,"
        " last_name, company_name, avatar, email, email_normalized, phone, language_code,"
        " sms_opt_out, email_opt_out, service_acceptance, is_verified, created_at,"
        " updated_at, first_name_folded, last_name_folded, company_name_folded, email_folded,"
        " code_folded, id, is_guest) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    auto& s = *s_lease;
    const int next = bind_fields(s, c);
    s.bind(next, c.id);
    s.bind(next + 1, c.is_guest ? 1 : 0);
    s.exec();
}

void SqliteContacts::update(const ContactRecord& c) {
    auto s_lease = db_.prepare(
        "UPDATE contacts SET code = ?, contact_type = ?, title = ?, first_name = ?,"
        " middle_name = ?, last_name = ?, company_name = ?, avatar = ?, email = ?,"
        " email_normalized = ?, phone = ?, language_code = ?, sms_opt_out = ?,"
        " email_opt_out = ?, service_acceptance = ?, is_verified = ?, created_at = ?,"
        " updated_at = ?, first_name_folded = ?, last_name_folded = ?,"
        " company_name_folded = ?, email_folded = ?, code_folded = ? WHERE id = ?");
    auto& s = *s_lease;
    s.bind(bind_fields(s, c), c.id);
    s.exec();
}

std::vector<ContactRecord> SqliteContacts::select_where(const char* condition,
                                                        const std::string& value) {
    auto s_lease = db_.prepare(std::string("SELECT ") + kColumns + " FROM contacts WHERE " +
                               condition + " ORDER BY created_at");
    auto& s = *s_lease;
    s.bind(1, value);
    std::vector<ContactRecord> out;
    while (s.executeStep()) out.push_back(read_contact(s));
    return out;
}

std::optional<ContactRecord> SqliteContacts::find(const std::string& id) {
    auto rows = select_where("id = ?", id);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

std::optional<ContactRecord> SqliteContacts::find_by_code(const std::string& code) {
    auto rows = select_where("code = ?", code);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

std::vector<ContactRecord> SqliteContacts::find_by_recorded_email(
    const std::string& normalized_email) {
    return select_where("email_normalized = ?", normalized_email);
}

std::vector<ContactRecord> SqliteContacts::find_by_recorded_phone(const std::string& e164) {
    return select_where("phone = ?", e164);
}

void SqliteContacts::set_verified(const std::string& id, std::int64_t now) {
    // Conditional, so that the sign-ins of a verified contact dirty no page of the table.
    auto s_lease = db_.prepare(
        "UPDATE contacts SET is_verified = 1, updated_at = ? WHERE id = ? AND is_verified = 0");
    auto& s = *s_lease;
    s.bind(1, now);
    s.bind(2, id);
    s.exec();
}

bool SqliteContacts::convert_guest(const std::string& id, std::int64_t now) {
    auto s_lease = db_.prepare(
        "UPDATE contacts SET is_guest = 0, updated_at = ? WHERE id = ? AND is_guest <> 0");
    auto& s = *s_lease;
    s.bind(1, now);
    s.bind(2, id);
    return s.exec() == 1;
}

bool SqliteContacts::remove(const std::string& id) {
    auto s_lease = db_.prepare("DELETE FROM contacts WHERE id = ?");
    auto& s = *s_lease;
    s.bind(1, id);
    return s.exec() == 1;
}

}  // namespace contactd::storage::sqlite
