#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"

namespace contactd::storage::sqlite {

int SqliteMaintenance::delete_expired_codes(std::int64_t expired_by, std::int64_t issued_by) {
    auto s_lease =
        db_.prepare("DELETE FROM one_time_codes WHERE expires_at <= ? AND created_at <= ?");
    auto& s = *s_lease;
    s.bind(1, expired_by);
    s.bind(2, issued_by);
    return s.exec();
}

std::vector<std::string> SqliteMaintenance::unvalidated_registrations(std::int64_t created_by,
                                                                      int limit) {
    // A back-office contact is known by its CONTACT_CREATE entry in the audit trail.
    auto s_lease = db_.prepare(
        "SELECT c.id FROM contacts c"
        " WHERE c.created_at <= ? AND c.is_verified = 0"
        "   AND EXISTS (SELECT 1 FROM identities i WHERE i.contact_id = c.id)"
        "   AND NOT EXISTS (SELECT 1 FROM identities i WHERE i.contact_id = c.id"
        "                   AND (i.is_verified <> 0 OR i.password_hash IS NOT NULL))"
        "   AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity_id = c.id"
        "                   AND a.entity_type = 'CONTACT' AND a.action = 'CONTACT_CREATE')"
        " ORDER BY c.created_at, c.id LIMIT ?");
    auto& s = *s_lease;
    s.bind(1, created_by);
    s.bind(2, limit);
    std::vector<std::string> out;
    while (s.executeStep()) out.push_back(s.getColumn(0).getString());
    return out;
}

std::vector<std::string> SqliteMaintenance::stale_guests(std::int64_t created_by, int limit) {
    // contacts_guest_created (sql/009) answers this without a scan.
    auto s_lease = db_.prepare(
        "SELECT c.id FROM contacts c WHERE c.is_guest = 1 AND c.created_at <= ?"
        "   AND NOT EXISTS (SELECT 1 FROM identities i WHERE i.contact_id = c.id)"
        " ORDER BY c.created_at, c.id LIMIT ?");
    auto& s = *s_lease;
    s.bind(1, created_by);
    s.bind(2, limit);
    std::vector<std::string> out;
    while (s.executeStep()) out.push_back(s.getColumn(0).getString());
    return out;
}

bool SqliteMaintenance::delete_contact_entirely(const std::string& contact_id) {
    auto run = [&](const char* sql) {
        auto s_lease = db_.prepare(sql);
        auto& s = *s_lease;
        s.bind(1, contact_id);
        return s.exec();
    };
    // Its messages (recipient and kind are personal data) would only lose their link to
    // the contact by ON DELETE SET NULL; their attempts go with them by cascade.
    run("DELETE FROM outbox WHERE contact_id = ?1");
    // Decoy codes issued to one of its destinations before that destination was its own
    // (contact_id NULL) name the destination too.
    run("DELETE FROM one_time_codes WHERE contact_id IS NULL AND destination IN ("
        " SELECT value FROM identities WHERE contact_id = ?1"
        " UNION SELECT email_normalized FROM contacts WHERE id = ?1"
        " UNION SELECT phone FROM contacts WHERE id = ?1)");
    // The trail keeps what happened and when, under the contact's id, but no longer where
    // from (address, user agent) or to which (obfuscated) destination.
    run("UPDATE security_events SET ip_address = NULL, user_agent = NULL,"
        " detail = json_remove(detail, '$.destination') WHERE contact_id = ?1");
    // Identities, codes, sessions and their refresh tokens, memberships, phones, custom
    // fields and every other table keyed on the contact go by ON DELETE CASCADE.
    return run("DELETE FROM contacts WHERE id = ?1") > 0;
}

}  // namespace contactd::storage::sqlite
