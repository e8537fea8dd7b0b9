// Fuzz target: the domain's phone and email normalisation (src/domain/contact_points.h),
// on arbitrary bytes. The input is "number\ncountry" for the phone (no newline: no
// country) and the whole input for the email. Checks, besides "no crash":
//   - a refusal is Error(InvalidValue) naming a field;
//   - an accepted phone is E.164 ('+' and at most 15 digits), and normalising it again
//     gives itself;
//   - an accepted email has no control character, one '@', at most 254 bytes, its key
//     is its display form lower-cased, and normalising it again gives itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "domain/contact_points.h"
#include "util/error.h"
#include "util/strings.h"

namespace {

using contactd::Error;

void require(bool condition) {
    if (!condition) std::abort();
}

void refused(const Error& e) {
    require(e.kind() == contactd::ErrorKind::InvalidValue);
    require(!e.parameters().empty());
}

void phone(std::string_view input) {
    const auto newline = input.find('\n');
    const auto number = input.substr(0, newline);
    std::optional<std::string_view> country;
    if (newline != std::string_view::npos) country = input.substr(newline + 1);
    try {
        const auto e164 = contactd::domain::normalize_phone(number, country);
        require(e164.size() >= 4 && e164.size() <= 16 && e164[0] == '+');
        for (std::size_t i = 1; i < e164.size(); ++i) require(e164[i] >= '0' && e164[i] <= '9');
        require(contactd::domain::normalize_phone(e164, std::nullopt) == e164);
    } catch (const Error& e) {
        refused(e);
    }
}

void email(std::string_view input) {
    try {
        const auto email = contactd::domain::normalize_email(input);
        require(!contactd::has_control_characters(email.display));
        require(email.display.size() <= 254);
        require(email.display.find('@') != std::string::npos);
        require(email.display.find('@') == email.display.rfind('@'));
        require(email.key == contactd::to_lower(email.display));
        require(contactd::domain::normalize_email(email.display).display == email.display);
    } catch (const Error& e) {
        refused(e);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    phone(input);
    email(input);
    return 0;
}
