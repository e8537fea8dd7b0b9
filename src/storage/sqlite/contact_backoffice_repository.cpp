// SqliteContacts: the back office's listing, phones and custom fields.
#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/contact_search.h"
#include "storage/sqlite/sqlite_repositories.h"
#include "storage/sqlite/statement_helpers.h"

namespace contactd::storage::sqlite {

std::vector<ContactRecord> SqliteContacts::search(const Search& search, std::int64_t offset,
                                                  int limit) {
    const auto query = contact_search_page_sql(search, offset, limit);
    auto s_lease = db_.prepare(query.sql);
    auto& s = *s_lease;
    bind_params(s, query);
    std::vector<std::string> ids;
    while (s.executeStep()) ids.push_back(s.getColumn(0).getString());
    std::vector<ContactRecord> out;
    out.reserve(ids.size());
    for (const auto& id : ids) {
        if (auto contact = find(id)) out.push_back(std::move(*contact));
    }
    return out;
}

std::int64_t SqliteContacts::count(const Search& search) {
    const auto query = contact_search_count_sql(search);
    auto s_lease = db_.prepare(query.sql);
    auto& s = *s_lease;
    bind_params(s, query);
    s.executeStep();
    return s.getColumn(0).getInt64();
}

std::vector<ContactPhoneRecord> SqliteContacts::phones(const std::string& contact_id) {
    auto s_lease = db_.prepare(
        "SELECT phone_type, number, is_primary FROM contact_phones WHERE contact_id = ?"
        " ORDER BY position");
    auto& s = *s_lease;
    s.bind(1, contact_id);
    std::vector<ContactPhoneRecord> out;
    while (s.executeStep()) {
        out.push_back(
            {s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getInt() != 0});
    }
    return out;
}

void SqliteContacts::replace_phones(const std::string& contact_id,
                                    const std::vector<ContactPhoneRecord>& phones) {
    auto clear_lease = db_.prepare("DELETE FROM contact_phones WHERE contact_id = ?");
    auto& clear = *clear_lease;
    clear.bind(1, contact_id);
    clear.exec();
    auto s_lease = db_.prepare(
        "INSERT INTO contact_phones (contact_id, position, phone_type, number, is_primary)"
        " VALUES (?,?,?,?,?)");
    auto& s = *s_lease;
    int position = 0;
    for (const auto& phone : phones) {
        s.reset();
        s.bind(1, contact_id);
        s.bind(2, position++);
        s.bind(3, phone.phone_type);
        s.bind(4, phone.number);
        s.bind(5, phone.is_primary ? 1 : 0);
        s.exec();
    }
}

std::vector<CustomFieldRecord> SqliteContacts::custom_fields(const std::string& contact_id) {
    auto s_lease = db_.prepare(
        "SELECT key, value FROM contact_custom_fields WHERE contact_id = ? ORDER BY position");
    auto& s = *s_lease;
    s.bind(1, contact_id);
    std::vector<CustomFieldRecord> out;
    while (s.executeStep()) out.push_back({s.getColumn(0).getString(), optional_text(s, 1)});
    return out;
}

void SqliteContacts::replace_custom_fields(const std::string& contact_id,
                                           const std::vector<CustomFieldRecord>& fields) {
    auto clear_lease = db_.prepare("DELETE FROM contact_custom_fields WHERE contact_id = ?");
    auto& clear = *clear_lease;
    clear.bind(1, contact_id);
    clear.exec();
    auto s_lease = db_.prepare(
        "INSERT INTO contact_custom_fields (contact_id, key, value, position) VALUES (?,?,?,?)");
    auto& s = *s_lease;
    int position = 0;
    for (const auto& field : fields) {
        s.reset();
        s.bind(1, contact_id);
        s.bind(2, field.key);
        bind(s, 3, field.value);
        s.bind(4, position++);
        s.exec();
    }
}

}  // namespace contactd::storage::sqlite
