// Back-office search_value and email_address in every script (issue 9): names and
// emails in Greek, Cyrillic and accented Latin are found whatever the case typed, for
// contacts made by the back office and by self-service sign-up alike.
#include <doctest/doctest.h>

#include <cstdio>
#include <set>
#include <string>

#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;

namespace {

const std::string kBackoffice = "/backoffice/v1";

// Percent-encodes every byte outside the unreserved set (RFC 3986), UTF-8 as it is.
std::string url_encode(const std::string& text) {
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += ch;
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

void create(TestServer& server, const Json& body) {
    const auto result = server.post(kBackoffice + "/contacts", body, "", server.secret_key());
    REQUIRE(result);
    REQUIRE_MESSAGE(result->status == 201, result->body);
}

std::set<std::string> found(TestServer& server, const std::string& param,
                            const std::string& value) {
    const auto result = server.get(kBackoffice + "/contacts?" + param + "=" + url_encode(value), "",
                                   server.secret_key());
    REQUIRE(result);
    REQUIRE_MESSAGE(result->status == 200, result->body);
    const Json page = json_of(result);  // kept: the loop must not outlive it
    std::set<std::string> ids;
    for (const auto& c : page["content"]) ids.insert(c["id"].get<std::string>());
    return ids;
}

}  // namespace

TEST_SUITE("http::search_folding") {
    TEST_CASE("search_folding: Greek, Cyrillic and accented names and emails in any case") {
        TestServer server;
        create(server, {{"id", "eleni"},
                        {"first_name", "Ελένη"},
                        {"last_name", "Παπαδοπούλου"},
                        {"email_address", "Ελένη@Παράδειγμα.gr"}});
        create(server, {{"id", "ivan"},
                        {"first_name", "Иван"},
                        {"last_name", "Петров"},
                        {"email_address", "IVAN@PRIMER.RU"}});
        create(server, {{"id", "jose"},
                        {"first_name", "José"},
                        {"last_name", "Núñez"},
                        {"email_address", "ÉLODIE.Núñez@Exemple.fr"}});
        create(server, {{"id", "odysseas"},
                        {"contact_type", "COMPANY"},
                        {"company_name", "ΟΔΥΣΣΕΑΣ Ταξίδια"}});
        create(server, {{"id", "andy"}, {"first_name", "Andy"}, {"last_name", "Steward"}});

        for (const char* v : {"ελένη", "Ελένη", "ΕΛΈΝΗ", "ελ", "ΕΛ", "παπαδοπ", "ΠΑΠΑΔΟΠΟΎΛΟΥ"}) {
            CAPTURE(v);
            CHECK(found(server, "search_value", v) == std::set<std::string>{"eleni"});
        }
        for (const char* v : {"иван", "ИВАН", "Ив", "петров", "ПЕТ"}) {
            CAPTURE(v);
            CHECK(found(server, "search_value", v) == std::set<std::string>{"ivan"});
        }
        for (const char* v : {"josé", "JOSÉ", "núñez", "NÚÑ", "élodie", "ÉLODIE.NÚÑEZ@"}) {
            CAPTURE(v);
            CHECK(found(server, "search_value", v) == std::set<std::string>{"jose"});
        }
        // A company name; final sigma and sigma match.
        CHECK(found(server, "search_value", "οδυσσεασ") == std::set<std::string>{"odysseas"});
        CHECK(found(server, "search_value", "Οδυσσέας").empty());  // accents are kept apart
        // Emails: a prefix in any case, and the exact filter in any case.
        CHECK(found(server, "search_value", "ελένη@παρ") == std::set<std::string>{"eleni"});
        CHECK(found(server, "email_address", "ΕΛΈΝΗ@ΠΑΡΆΔΕΙΓΜΑ.GR") ==
              std::set<std::string>{"eleni"});
        CHECK(found(server, "email_address", "ivan@primer.ru") == std::set<std::string>{"ivan"});
        // Accents are not stripped; ASCII search is as before.
        CHECK(found(server, "search_value", "jose").empty());
        CHECK(found(server, "search_value", "ANDY") == std::set<std::string>{"andy"});

        // An update refolds: the old name no longer matches, the new one does.
        const auto put = server.put(kBackoffice + "/contacts/ivan", {{"first_name", "Ёлка"}}, "",
                                    server.secret_key());
        REQUIRE(put->status == 200);
        CHECK(found(server, "search_value", "иван").empty());
        CHECK(found(server, "search_value", "ЁЛКА") == std::set<std::string>{"ivan"});
    }

    TEST_CASE(
        "search_folding: a self-service sign-up and its email identity are found in any case") {
        TestServer server;
        const auto registered =
            server.post(kSelfService + "/contacts/register",
                        {{"first_name", "Ελένη"},
                         {"last_name", "Σταύρου"},
                         {"identity", {{"provider", "EMAIL"}, {"email", "Σταύρου@Mail.Example"}}}});
        REQUIRE_MESSAGE(registered->status == 201, registered->body);
        const std::string id = json_of(registered)["id"];
        CHECK(found(server, "search_value", "ΕΛΈΝΗ") == std::set<std::string>{id});
        CHECK(found(server, "search_value", "σταύρου@mail") == std::set<std::string>{id});
        CHECK(found(server, "email_address", "ΣΤΑΎΡΟΥ@MAIL.EXAMPLE") == std::set<std::string>{id});
    }
}
