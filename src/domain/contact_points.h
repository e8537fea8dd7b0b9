#pragma once
// Normalisation of the two kinds of destination a contact is reached at.
#include <optional>
#include <string>
#include <string_view>

namespace contactd::domain {

// Parses a phone number with libphonenumber. `country_alpha3` (ISO 3166-1 alpha-3, e.g.
// "CYP") is needed unless the number is given whole in E.164 ("+357..."). Returns the
// E.164 form. Throws Error(InvalidValue) naming `field` for an unknown country, a
// number that is not valid for it, or control characters (U+0000-U+001F, U+007F) in
// the number or the country once whitespace at the ends is trimmed.
std::string normalize_phone(std::string_view number, std::optional<std::string_view> country_alpha3,
                            const std::string& field = "phone_number");

// An E.164 number split as CRM.COM v2 answers show a phone: the country (ISO 3166-1
// alpha-3 of the number's region, "CYP") and the national number ("99478230").
// nullopt when libphonenumber cannot read it or places it in no single country.
struct PhoneParts {
    std::string country_alpha3;
    std::string national_number;
};
std::optional<PhoneParts> split_phone(std::string_view e164);

struct Email {
    std::string display;  // trimmed, as given
    std::string key;      // lower-cased, for comparison
};

// Trims and checks the shape of an email address (one '@', a dotted domain, no spaces,
// at most 254 characters, no control characters once whitespace at the ends is
// trimmed). Throws Error(InvalidValue) naming `field`.
Email normalize_email(std::string_view email, const std::string& field = "email");

}  // namespace contactd::domain
