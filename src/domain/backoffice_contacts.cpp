#include "domain/backoffice_contacts.h"

#include "domain/contact_erasure.h"

#include <algorithm>
#include <set>

#include "domain/backoffice_fields.h"
#include "domain/contact_points.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::domain {
namespace {

constexpr std::size_t kMaxPhones = 10;
// A path segment that names a route rather than a contact: GET /contacts/verify.
constexpr const char* kReservedKey = "verify";

using Text = std::optional<std::optional<std::string>>;

// The input, checked and normalized, with the names of the fields it sets (for the
// audit trail).
struct CleanInput {
    Text code, title, first_name, middle_name, last_name, company_name, avatar, email;
    std::optional<std::string> contact_type;
    std::optional<std::vector<storage::ContactPhoneRecord>> phones;
    std::optional<bool> sms_opt_out, email_opt_out;
    std::optional<std::vector<storage::CustomFieldRecord>> custom_fields;
    std::vector<std::string> fields;
};

Text clean_field(const Text& value, const char* field, std::size_t max_chars,
                 std::vector<std::string>& fields) {
    if (!value) return std::nullopt;
    fields.emplace_back(field);
    return clean_text(*value, field, max_chars);
}

std::optional<std::string> clean_code(const std::optional<std::string>& value) {
    auto code = clean_text(value, "code", 64);
    if (code && (code->find('/') != std::string::npos || *code == kReservedKey)) {
        throw invalid_value("code cannot contain '/' or be \"verify\"", {"code"});
    }
    return code;
}

std::vector<storage::ContactPhoneRecord> clean_phones(const std::vector<PhoneInput>& phones) {
    if (phones.size() > kMaxPhones)
        throw invalid_value("A contact has at most 10 phones", {"phones"});
    std::vector<storage::ContactPhoneRecord> out;
    std::set<std::string> seen;
    int primaries = 0;
    for (const auto& phone : phones) {
        storage::ContactPhoneRecord record;
        record.phone_type = to_upper(trim(phone.phone_type.value_or("MOBILE")));
        const bool type_ok = !record.phone_type.empty() && record.phone_type.size() <= 32 &&
                             std::all_of(record.phone_type.begin(), record.phone_type.end(),
                                         [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; });
        if (!type_ok)
            throw invalid_value("phone_type must be a word such as MOBILE or LANDLINE",
                                {"phone_type"});
        record.number = normalize_phone(phone.number, phone.country_code, "number");
        record.is_primary = phone.is_primary;
        if (!seen.insert(record.number).second)
            throw invalid_value("The same phone is given twice", {"phones"});
        primaries += phone.is_primary ? 1 : 0;
        out.push_back(std::move(record));
    }
    if (primaries > 1) throw invalid_value("At most one phone can be primary", {"is_primary"});
    // A contact with phones has a primary one: the first, unless another is named.
    if (primaries == 0 && !out.empty()) out.front().is_primary = true;
    return out;
}

CleanInput clean(const ContactInput& in) {
    CleanInput out;
    auto& f = out.fields;
    if (in.code) {
        f.emplace_back("code");
        out.code = clean_code(*in.code);
    }
    if (in.contact_type) {
        f.emplace_back("contact_type");
        out.contact_type = to_upper(trim(*in.contact_type));
        if (*out.contact_type != "PERSON" && *out.contact_type != "COMPANY") {
            throw invalid_value("contact_type must be PERSON or COMPANY", {"contact_type"});
        }
    }
    out.title = clean_field(in.title, "title", 50, f);
    out.first_name = clean_field(in.first_name, "first_name", 100, f);
    out.middle_name = clean_field(in.middle_name, "middle_name", 100, f);
    out.last_name = clean_field(in.last_name, "last_name", 100, f);
    out.company_name = clean_field(in.company_name, "company_name", 200, f);
    out.avatar = clean_field(in.avatar, "avatar", 2048, f);
    if (in.email) {
        f.emplace_back("email_address");
        const bool blank = !*in.email || trim(**in.email).empty();
        out.email = blank ? std::optional<std::string>()
                          : normalize_email(**in.email, "email_address").display;
    }
    if (in.phones) {
        f.emplace_back("phones");
        out.phones = clean_phones(*in.phones);
    }
    if (in.sms_opt_out) f.emplace_back("sms_opt_out");
    if (in.email_opt_out) f.emplace_back("email_opt_out");
    out.sms_opt_out = in.sms_opt_out;
    out.email_opt_out = in.email_opt_out;
    if (in.custom_fields) {
        f.emplace_back("custom_fields");
        out.custom_fields = clean_custom_fields(*in.custom_fields);
    }
    return out;
}

void apply(const CleanInput& in, storage::ContactRecord& c) {
    auto set = [](const Text& change, std::optional<std::string>& field) {
        if (change) field = *change;
    };
    set(in.code, c.code);
    set(in.title, c.title);
    set(in.first_name, c.first_name);
    set(in.middle_name, c.middle_name);
    set(in.last_name, c.last_name);
    set(in.company_name, c.company_name);
    set(in.avatar, c.avatar);
    set(in.email, c.email);
    if (in.contact_type) c.contact_type = *in.contact_type;
    if (in.sms_opt_out) c.sms_opt_out = *in.sms_opt_out;
    if (in.email_opt_out) c.email_opt_out = *in.email_opt_out;
    if (in.phones) {
        c.phone.reset();
        for (const auto& phone : *in.phones) {
            if (phone.is_primary) c.phone = phone.number;
        }
    }
    if (c.contact_type == "COMPANY" && !c.company_name) throw missing_value("company_name");
    if (c.contact_type == "PERSON" && !c.first_name && !c.last_name) {
        throw invalid_value("A PERSON needs a first_name or a last_name",
                            {"first_name", "last_name"});
    }
}

void write_lists(storage::Repositories& repos, const std::string& id, const CleanInput& in) {
    if (in.phones) repos.contacts().replace_phones(id, *in.phones);
    if (in.custom_fields) repos.contacts().replace_custom_fields(id, *in.custom_fields);
}

void check_code_free(storage::Repositories& repos, const std::optional<std::string>& code,
                     const std::string& owner) {
    if (!code) return;
    const auto holder = repos.contacts().find_by_code(*code);
    if (holder && holder->id != owner)
        throw already_exists("A contact with this code already exists", {"code"});
}

BackOfficeContact details(storage::Repositories& repos, storage::ContactRecord contact) {
    BackOfficeContact out;
    out.phones = repos.contacts().phones(contact.id);
    // Contacts that signed up themselves have a recorded phone but no phone list.
    if (out.phones.empty() && contact.phone) out.phones.push_back({"MOBILE", *contact.phone, true});
    out.custom_fields = repos.contacts().custom_fields(contact.id);
    out.organisations = repos.organisations().list_for_contact(contact.id);
    out.identities = repos.identities().list_for_contact(contact.id);
    out.contact = std::move(contact);
    return out;
}

nlohmann::json fields_detail(const std::vector<std::string>& fields) {
    return {{"fields", fields}};
}

}  // namespace

storage::ContactRecord find_contact(storage::Repositories& repos, const std::string& id_or_code) {
    if (auto contact = repos.contacts().find(id_or_code)) return std::move(*contact);
    if (auto contact = repos.contacts().find_by_code(id_or_code)) return std::move(*contact);
    throw not_found("Contact");
}

BackOfficeContacts::BackOfficeContacts(storage::Store& store, const Clock& clock,
                                       const AuditTrail& audit, const SecurityEvents& events)
    : store_(store), clock_(clock), audit_(audit), events_(events) {}

std::string BackOfficeContacts::create(const Actor& actor, const ContactInput& input) {
    const std::string id = id_or_generate(input.id);
    if (id == kReservedKey) throw invalid_value("id cannot be \"verify\"", {"id"});
    const auto in = clean(input);
    return store_.write([&](storage::Repositories& repos) {
        const auto now = clock_.now();
        storage::ContactRecord contact;
        contact.id = id;
        contact.created_at = now;
        contact.updated_at = now;
        apply(in, contact);
        if (repos.contacts().find(id))
            throw already_exists("A contact with this id already exists", {"id"});
        check_code_free(repos, contact.code, id);
        repos.contacts().insert(contact);
        write_lists(repos, id, in);
        audit_.record(repos, actor, audit_action::kContactCreate, audit_entity::kContact, id,
                      fields_detail(in.fields));
        return id;
    });
}

BackOfficeContact BackOfficeContacts::get(const std::string& id_or_code) {
    return store_.read([&](storage::Repositories& repos) {
        return details(repos, find_contact(repos, id_or_code));
    });
}

Page<BackOfficeContact> BackOfficeContacts::list(const ContactFilter& filter,
                                                 const PageRequest& page) {
    page.validate();
    const auto search = search_of(filter);
    return store_.read([&](storage::Repositories& repos) {
        Page<BackOfficeContact> out;
        out.request = page;
        out.total = repos.contacts().count(search);
        for (auto& contact : repos.contacts().search(search, page.offset(), page.limit())) {
            out.items.push_back(details(repos, std::move(contact)));
        }
        return out;
    });
}

std::string BackOfficeContacts::update(const Actor& actor, const std::string& id_or_code,
                                       const ContactInput& input) {
    const auto in = clean(input);
    return store_.write([&](storage::Repositories& repos) {
        auto contact = find_contact(repos, id_or_code);
        if (input.id && *input.id != contact.id)
            throw invalid_value("id cannot be changed", {"id"});
        apply(in, contact);
        check_code_free(repos, contact.code, contact.id);
        contact.updated_at = clock_.now();
        repos.contacts().update(contact);
        write_lists(repos, contact.id, in);
        audit_.record(repos, actor, audit_action::kContactUpdate, audit_entity::kContact,
                      contact.id, fields_detail(in.fields));
        return contact.id;
    });
}

void BackOfficeContacts::remove(const Actor& actor, const std::string& id_or_code) {
    store_.write([&](storage::Repositories& repos) {
        const auto contact = find_contact(repos, id_or_code);
        // Everything of the contact goes, in this transaction, as in self-deletion.
        erase_contact(repos, contact.id);
        audit_.record(repos, actor, audit_action::kContactDelete, audit_entity::kContact,
                      contact.id);
        events_.record(repos, security_event::kContactDeleted, contact.id, actor.client,
                       {{"by", "BACKOFFICE"}, {"key_id", actor.api_key_id}});
    });
}

bool BackOfficeContacts::exists(const ContactFilter& filter) {
    if (!filter.email && !filter.phone) throw missing_value("email_address");
    ContactFilter only;
    only.email = filter.email;
    only.phone = filter.phone;
    only.country_code = filter.country_code;
    const auto search = search_of(only);
    return store_.read(
        [&](storage::Repositories& repos) { return repos.contacts().count(search) > 0; });
}

std::vector<storage::SessionRecord> BackOfficeContacts::sessions(const std::string& id_or_code) {
    return store_.read([&](storage::Repositories& repos) {
        const auto contact = find_contact(repos, id_or_code);
        return repos.sessions().list_live_for_contact(contact.id, clock_.now());
    });
}

void BackOfficeContacts::revoke_sessions(const Actor& actor, const std::string& id_or_code) {
    store_.write([&](storage::Repositories& repos) {
        const auto contact = find_contact(repos, id_or_code);
        const int revoked = repos.sessions().revoke_all_for_contact(contact.id, clock_.now());
        audit_.record(repos, actor, audit_action::kContactSessionsRevoke, audit_entity::kContact,
                      contact.id, {{"revoked", revoked}});
        if (revoked > 0) {
            events_.record(repos, security_event::kSessionRevoked, contact.id, actor.client,
                           {{"count", revoked}, {"reason", "BACKOFFICE"}});
        }
    });
}

storage::ContactRepository::Search BackOfficeContacts::search_of(const ContactFilter& filter) {
    storage::ContactRepository::Search search;
    auto given = [](const std::optional<std::string>& value) {
        return value && !trim(*value).empty();
    };
    if (given(filter.code)) search.code = clean_text(filter.code, "code", 64);
    if (given(filter.email)) search.email = normalize_email(*filter.email, "email_address").key;
    if (given(filter.phone)) {
        // An unencoded '+' in a query string arrives as a space: a number of digits
        // without a country_code is read as E.164.
        auto number = trim(*filter.phone);
        const bool digits =
            std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (digits && !given(filter.country_code)) number = "+" + number;
        const auto country = given(filter.country_code) ? filter.country_code : std::nullopt;
        search.phone = normalize_phone(
            number, country ? std::optional<std::string_view>(*country) : std::nullopt, "phone");
    }
    if (given(filter.search_value)) {
        const auto value = *clean_text(filter.search_value, "search_value", 100);
        search.text_prefix = value;  // the storage folds it (any script)
        std::string digits;
        bool phone_like = true;
        for (std::size_t i = 0; i < value.size() && phone_like; ++i) {
            const char c = value[i];
            if (c >= '0' && c <= '9') {
                digits += c;
            } else if (!(c == ' ' || c == '-' || c == '(' || c == ')' || (c == '+' && i == 0))) {
                phone_like = false;
            }
        }
        if (phone_like && !digits.empty()) search.phone_prefix = "+" + digits;
    }
    return search;
}

}  // namespace contactd::domain
