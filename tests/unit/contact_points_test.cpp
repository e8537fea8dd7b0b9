// domain::contact_points: phone numbers through libphonenumber with ISO 3166-1 alpha-3
// countries, and email shape/normalisation.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "domain/contact_points.h"
#include "util/countries.h"
#include "util/error.h"

using contactd::Error;
using contactd::ErrorKind;
using contactd::domain::normalize_email;
using contactd::domain::normalize_phone;

namespace {

// The parameters of the InvalidValue error `fn` throws; fails the test if none.
template <class F>
std::vector<std::string> rejected_parameters(F&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::InvalidValue);
        CHECK_FALSE(std::string(e.what()).empty());
        return e.parameters();
    }
    FAIL("no error was thrown");
    return {};
}

using Params = std::vector<std::string>;

}  // namespace

TEST_SUITE("domain::contact_points") {
    TEST_CASE(
        "contact_points::normalize_phone gives E.164 from a national number and an alpha-3 "
        "country") {
        CHECK(normalize_phone("99478230", "CYP") == "+35799478230");
        CHECK(normalize_phone("99 478 230", "CYP") == "+35799478230");
        CHECK(normalize_phone(" 99478230 ", "cyp") == "+35799478230");  // case-insensitive
        CHECK(normalize_phone("020 7946 0018", "GBR") == "+442079460018");
        CHECK(normalize_phone("(201) 555-0123", "USA") == "+12015550123");
    }

    TEST_CASE(
        "contact_points::normalize_phone accepts a whole E.164 number with or without country") {
        CHECK(normalize_phone("+35799478230", std::nullopt) == "+35799478230");
        CHECK(normalize_phone("+35799478230", "") == "+35799478230");
        CHECK(normalize_phone("+357 99 478230", std::nullopt) == "+35799478230");
        CHECK(normalize_phone("+35799478230", "CYP") == "+35799478230");
        // The country given does not override the one the number names.
        CHECK(normalize_phone("+35799478230", "GBR") == "+35799478230");
    }

    TEST_CASE(
        "contact_points::normalize_phone: the international 00 prefix needs the country to dial "
        "from") {
        // From Cyprus, 00 is the international prefix: 00357... is the Cypriot number.
        CHECK(normalize_phone("0035799478230", "CYP") == "+35799478230");
        // Without a country, "00" means nothing to libphonenumber: refused, clearly.
        CHECK(rejected_parameters([] { normalize_phone("0035799478230", std::nullopt); }) ==
              Params{"phone_number"});
    }

    TEST_CASE(
        "contact_points::normalize_phone rejects what is not a valid number, naming the field") {
        CHECK(rejected_parameters([] { normalize_phone("12", "CYP"); }) == Params{"phone_number"});
        CHECK(rejected_parameters([] { normalize_phone("abcdefgh", "CYP"); }) ==
              Params{"phone_number"});
        CHECK(rejected_parameters([] { normalize_phone("99478230", std::nullopt); }) ==
              Params{"phone_number"});
        CHECK(rejected_parameters([] { normalize_phone("+3579947823", std::nullopt); }) ==
              Params{"phone_number"});  // one digit short
        CHECK(rejected_parameters([] { normalize_phone("99478230", "GBR"); }) ==
              Params{"phone_number"});
        CHECK(rejected_parameters([] { normalize_phone(std::string(40, '9'), "CYP"); }) ==
              Params{"phone_number"});
        CHECK(rejected_parameters([] { normalize_phone("+999 1234 5678", std::nullopt); }) ==
              Params{"phone_number"});
        // The caller's field name is used.
        CHECK(rejected_parameters([] { normalize_phone("12", "CYP", "value"); }) ==
              Params{"value"});
    }

    TEST_CASE("contact_points::normalize_phone: an empty number is a missing value") {
        try {
            normalize_phone("   ", "CYP");
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.code() == "MISSINGPARAMETEREXCEPTION");
            CHECK(e.parameters() == Params{"phone_number"});
        }
    }

    TEST_CASE(
        "contact_points::normalize_phone rejects an unknown country with parameter country_code") {
        CHECK(rejected_parameters([] { normalize_phone("99478230", "XYZ"); }) ==
              Params{"country_code"});
        CHECK(rejected_parameters([] { normalize_phone("99478230", "CY"); }) ==
              Params{"country_code"});
        CHECK(rejected_parameters([] { normalize_phone("99478230", "357"); }) ==
              Params{"country_code"});
    }

    TEST_CASE("countries::alpha2_from_alpha3 comes from the iso-codes table") {
        CHECK(contactd::alpha2_from_alpha3("CYP") == "CY");
        CHECK(contactd::alpha2_from_alpha3("grc") == "GR");
        CHECK(contactd::alpha2_from_alpha3("USA") == "US");
        CHECK_FALSE(contactd::alpha2_from_alpha3("XXX").has_value());
        CHECK(contactd::iso3166_countries().size() >= 249);
    }

    TEST_CASE(
        "contact_points::normalize_email trims, keeps the display form and lower-cases the key") {
        const auto email = normalize_email("  Andy.Steward@Example.COM \t");
        CHECK(email.display == "Andy.Steward@Example.COM");
        CHECK(email.key == "andy.steward@example.com");
        CHECK(normalize_email("a@b.example").key == "a@b.example");
        CHECK(normalize_email("first+tag@sub.domain.example").display ==
              "first+tag@sub.domain.example");
    }

    TEST_CASE("contact_points::normalize_email rejects bad shapes, naming the field") {
        for (const std::string bad :
             {"a", "a@", "@b.example", "a@b", "a@@b.example", "a@b@c.example", "a b@c.example",
              "a@b.", "a@.b", "<a@b.example>", "a@b.example,c@d.example", "\"a\"@b.example"}) {
            CAPTURE(bad);
            CHECK(rejected_parameters([&] { normalize_email(bad); }) == Params{"email"});
        }
        const std::string long_local = std::string(65, 'a') + "@b.example";
        CHECK(rejected_parameters([&] { normalize_email(long_local); }) == Params{"email"});
        const std::string too_long = "a@" + std::string(250, 'b') + ".example";
        CHECK(rejected_parameters([&] { normalize_email(too_long); }) == Params{"email"});
        CHECK(rejected_parameters([] { normalize_email("nope", "value"); }) == Params{"value"});
        try {
            normalize_email("  ");
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.code() == "MISSINGPARAMETEREXCEPTION");
        }
    }

    TEST_CASE(
        "contact_points: control characters are refused in emails and phones, whatever the "
        "path") {
        // Paths without JSON (query strings, command line) reach these functions too.
        for (const std::string& bad :
             {std::string("a@b.example\0", 12), std::string("a\0@b.example", 12),
              std::string("a@b.ex\x01"
                          "ample"),
              std::string("a@b.example\x7F"), std::string("a\x1B[2J@b.example")}) {
            CAPTURE(bad);
            CHECK(rejected_parameters([&] { normalize_email(bad, "email_address"); }) ==
                  Params{"email_address"});
        }
        for (const std::string& bad : {std::string("99478230\0", 9),
                                       std::string("9947\x08"
                                                   "8230"),
                                       std::string("+357\x7F"
                                                   "99478230")}) {
            CAPTURE(bad);
            CHECK(rejected_parameters([&] { normalize_phone(bad, "CYP", "phone"); }) ==
                  Params{"phone"});
        }
        CHECK(rejected_parameters([] { normalize_phone("99478230", std::string("CY\0P", 4)); }) ==
              Params{"country_code"});
        // Whitespace at the ends is still trimmed, as before.
        CHECK(normalize_email("\ta@b.example\n").display == "a@b.example");
        CHECK(normalize_phone("\t99478230\r\n", "CYP") == "+35799478230");
    }
}
