// storage::sqlite contact search: with 100,000 contacts, every filter of the back-office
// listing (code, email, phone, search_value prefix) is answered from indexes; EXPLAIN
// QUERY PLAN shows no full scan of any table, before and after ANALYZE. The answers are
// checked against what was seeded.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <cstdio>
#include <regex>
#include <string>
#include <vector>

#include "domain/backoffice_contacts.h"
#include "storage/sqlite/contact_search.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/test_server.h"
#include "util/strings.h"
#include "util/text_fold.h"

using namespace contactd;
using storage::ContactRepository;
using storage::sqlite::SqliteStore;

namespace {

constexpr int kContacts = 100'000;
// Greek and Cyrillic names too: search_value folds every script (sql/010).
const char* const kFirstNames[] = {"Andy",   "Maria", "Nikos", "Ελένη",
                                   "George", "Anna",  "Иван",  "Sofia"};
const char* const kLastNames[] = {"Steward", "Georgiou", "Pappas",
                                  "Ioannou", "Smith",    "Constantinou"};

std::string code_of(int i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "C-%07d", i);
    return buf;
}
std::string phone_of(int i) {
    return "+35799" + std::to_string(100000 + i);
}  // recorded, primary
std::string second_phone_of(int i) {
    return "+3592" + std::to_string(2000000 + i);
}  // contact_phones only
std::string last_name_of(int i) {
    return std::string(kLastNames[i % 6]) + std::to_string(i);
}
std::string company_of(int i) {
    return i % 10 == 0 ? "Company " + std::to_string(i) : "";
}
std::string email_of(int i) {
    return "User" + std::to_string(i) + "@Example" + std::to_string(i % 100) + ".com";
}
std::string login_of(int i) {
    return i % 10 == 3 ? "login" + std::to_string(i) + "@mail.example" : "";
}

// One transaction of prepared inserts on the writer connection.
void seed(SQLite::Database& db) {
    SQLite::Transaction tx(db);
    SQLite::Statement contact(
        db,
        "INSERT INTO contacts (id, code, contact_type, first_name, last_name, company_name,"
        " email, email_normalized, phone, created_at, updated_at, first_name_folded,"
        " last_name_folded, company_name_folded, email_folded, code_folded)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    SQLite::Statement phone(
        db,
        "INSERT INTO contact_phones (contact_id, position, phone_type, number, is_primary)"
        " VALUES (?, ?, 'MOBILE', ?, ?)");
    SQLite::Statement identity(
        db,
        "INSERT INTO identities (id, contact_id, provider, value, display_value, is_verified,"
        " created_at, value_folded) VALUES (?, ?, 'EMAIL', ?, ?, 1, 0, ?)");
    for (int i = 0; i < kContacts; ++i) {
        const std::string id = "id-" + std::to_string(i);
        const bool company = i % 10 == 0;
        const std::string email = email_of(i);
        contact.reset();
        contact.bind(1, id);
        contact.bind(2, code_of(i));
        contact.bind(3, company ? "COMPANY" : "PERSON");
        contact.bind(4, kFirstNames[i % 8]);
        contact.bind(5, last_name_of(i));
        if (company) {
            contact.bind(6, company_of(i));
        } else {
            contact.bind(6);
        }
        contact.bind(7, email);
        contact.bind(8, to_lower(email));
        contact.bind(9, phone_of(i));
        contact.bind(10, static_cast<std::int64_t>(1'700'000'000 + i));
        contact.bind(11, static_cast<std::int64_t>(1'700'000'000 + i));
        // What the storage layer writes beside each row (contact_repository.cpp).
        contact.bind(12, fold_case(kFirstNames[i % 8]));
        contact.bind(13, fold_case(last_name_of(i)));
        if (company) {
            contact.bind(14, fold_case(company_of(i)));
        } else {
            contact.bind(14);
        }
        contact.bind(15, fold_case(email));
        contact.bind(16, fold_case(code_of(i)));
        contact.exec();
        for (int k = 0; k < 2; ++k) {
            phone.reset();
            phone.bind(1, id);
            phone.bind(2, k);
            phone.bind(3, k == 0 ? phone_of(i) : second_phone_of(i));
            phone.bind(4, k == 0 ? 1 : 0);
            phone.exec();
        }
        if (i % 10 == 3) {
            identity.reset();
            identity.bind(1, "identity-" + std::to_string(i));
            identity.bind(2, id);
            identity.bind(3, login_of(i));
            identity.bind(4, login_of(i));
            identity.bind(5, fold_case(login_of(i)));
            identity.exec();
        }
    }
    tx.commit();
}

bool starts_ci(const std::string& value, const std::string& prefix) {
    return !value.empty() && fold_case(value).starts_with(fold_case(prefix));
}

// Which seeded contacts a search_value should find, by brute force.
bool search_matches(int i, const std::string& v) {
    std::string digits;
    for (char ch : v) {
        if (ch >= '0' && ch <= '9') digits += ch;
    }
    const bool phone_like =
        v.find_first_not_of("+0123456789 ") == std::string::npos && !digits.empty();
    return starts_ci(kFirstNames[i % 8], v) || starts_ci(last_name_of(i), v) ||
           starts_ci(company_of(i), v) || starts_ci(email_of(i), v) || starts_ci(code_of(i), v) ||
           starts_ci(login_of(i), v) ||
           (phone_like && (phone_of(i).rfind("+" + digits, 0) == 0 ||
                           second_phone_of(i).rfind("+" + digits, 0) == 0));
}

std::int64_t expected_for_search(const std::string& v) {
    std::int64_t n = 0;
    for (int i = 0; i < kContacts; ++i) n += search_matches(i, v) ? 1 : 0;
    return n;
}

struct Case {
    std::string name;
    domain::ContactFilter filter;
    std::int64_t expected_total;
};

domain::ContactFilter filter_code(std::string v) {
    domain::ContactFilter f;
    f.code = std::move(v);
    return f;
}
domain::ContactFilter filter_email(std::string v) {
    domain::ContactFilter f;
    f.email = std::move(v);
    return f;
}
domain::ContactFilter filter_phone(std::string v) {
    domain::ContactFilter f;
    f.phone = std::move(v);
    return f;
}
domain::ContactFilter filter_search(std::string v) {
    domain::ContactFilter f;
    f.search_value = std::move(v);
    return f;
}

// A full scan of a table shows as "SCAN <table or alias>" with or without "USING
// [COVERING] INDEX": both read every row. Scans of temporary results are fine.
std::vector<std::string> full_scans(const std::vector<std::string>& plan) {
    static const std::regex scan("^SCAN (c|x|i|p|contacts|identities|contact_phones)( |$)");
    std::vector<std::string> out;
    for (const auto& step : plan) {
        if (std::regex_search(step, scan)) out.push_back(step);
    }
    return out;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += "  " + l + "\n";
    return out;
}

}  // namespace

TEST_SUITE("storage::contact_search") {
    TEST_CASE("contact_search: 100,000 contacts, every listing filter is answered from indexes") {
        test::TempDir dir;
        SqliteStore store((dir.path() / "search.db").string());
        auto& db = store.writer_connection_for_tests();
        const auto started = std::chrono::steady_clock::now();
        seed(db);
        MESSAGE("seeded in " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - started)
                                    .count()
                             << " ms");

        // The detector sees a full scan when there is one: no index covers middle names,
        // and the unfiltered listing reads every row (in index order).
        CHECK_FALSE(
            full_scans(storage::sqlite::explain_query_plan(
                           db, {"SELECT id FROM contacts c WHERE lower(middle_name) >= ?1", {"a"}}))
                .empty());
        CHECK_FALSE(full_scans(storage::sqlite::explain_query_plan(
                                   db, storage::sqlite::contact_search_page_sql({}, 0, 20)))
                        .empty());

        // The brute force itself folds: every fourth-of-eight first name is Ελένη.
        REQUIRE(expected_for_search("ΕΛΈΝΗ") == kContacts / 8);
        std::vector<Case> cases = {
            {"code", filter_code("C-0054321"), 1},
            {"email, any case", filter_email("USER777@example77.COM"), 1},
            {"email of an identity", filter_email("login13@mail.example"), 1},
            {"phone, recorded", filter_phone("+35799154321"), 1},
            {"phone, second", filter_phone("+35922054321"), 1},
            {"phone, no match", filter_phone("+35799999999"), 0},
        };
        for (const char* value :
             {"ANDY", "pappas1238", "company 1234", "user4242@", "c-000012", "LOGIN23",
              "+3579915432", "3592205432", "zz", "ελένη", "ΕΛΈΝΗ", "иван", "ИВ"}) {
            cases.push_back({std::string("search_value ") + value, filter_search(value),
                             expected_for_search(value)});
        }

        for (const bool analyzed : {false, true}) {
            if (analyzed) db.exec("ANALYZE");
            for (const auto& c : cases) {
                CAPTURE(c.name);
                CAPTURE(analyzed);
                const auto search = domain::BackOfficeContacts::search_of(c.filter);
                for (const auto& query : {storage::sqlite::contact_search_page_sql(search, 0, 20),
                                          storage::sqlite::contact_search_count_sql(search)}) {
                    const auto plan = storage::sqlite::explain_query_plan(db, query);
                    INFO("SQL: " << query.sql << "\nplan:\n" << joined(plan));
                    CHECK(full_scans(plan).empty());
                }
                const auto [total, page] = store.read([&](storage::Repositories& repos) {
                    return std::make_pair(repos.contacts().count(search),
                                          repos.contacts().search(search, 0, 20));
                });
                CHECK(total == c.expected_total);
                CHECK(page.size() == static_cast<std::size_t>(std::min<std::int64_t>(total, 20)));
                for (std::size_t k = 1; k < page.size(); ++k)
                    CHECK(page[k - 1].created_at <= page[k].created_at);
            }
        }
    }
}
