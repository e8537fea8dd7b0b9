#include "domain/contact_points.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "util/countries.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::domain {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

std::string normalize_phone(std::string_view number, std::optional<std::string_view> country_alpha3,
                            const std::string& field) {
    const std::string text = trim(number);
    if (text.empty()) throw missing_value(field);
    // Whatever path the text came by (JSON bodies refuse them already; query strings and
    // other callers may not). Whitespace at the ends, tabs included, was trimmed above.
    if (has_control_characters(text))
        throw invalid_value("The phone number holds control characters", {field});
    if (country_alpha3 && has_control_characters(*country_alpha3))
        throw invalid_value("The country code holds control characters", {"country_code"});
    if (text.size() > 32) throw invalid_value("The phone number is too long", {field});
    std::string region = "ZZ";  // unknown: only numbers with a leading '+' parse
    if (country_alpha3 && !trim(*country_alpha3).empty()) {
        const auto alpha2 = alpha2_from_alpha3(trim(*country_alpha3));
        if (!alpha2)
            throw invalid_value("Unknown country code; use ISO 3166-1 alpha-3 such as CYP",
                                {"country_code"});
        region = *alpha2;
    }
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    PhoneNumber parsed;
    if (util.Parse(text, region, &parsed) != PhoneNumberUtil::NO_PARSING_ERROR) {
        throw invalid_value(region == "ZZ" ? "The phone number needs a country_code or a leading +"
                                           : "The phone number could not be read",
                            {field});
    }
    if (!util.IsValidNumber(parsed))
        throw invalid_value("The phone number is not a valid number", {field});
    std::string e164;
    util.Format(parsed, PhoneNumberUtil::E164, &e164);
    // libphonenumber takes some German numbers of up to 17 digits as valid (found by
    // fuzz/contact_points); E.164 holds at most 15, and the API promises E.164.
    if (e164.size() > 16) throw invalid_value("The phone number is not a valid number", {field});
    return e164;
}

std::optional<PhoneParts> split_phone(std::string_view e164) {
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    PhoneNumber parsed;
    if (util.Parse(std::string(e164), "ZZ", &parsed) != PhoneNumberUtil::NO_PARSING_ERROR)
        return std::nullopt;
    std::string region;
    util.GetRegionCodeForNumber(parsed, &region);
    const auto alpha3 = alpha3_from_alpha2(region);
    if (!alpha3) return std::nullopt;
    std::string national;
    util.GetNationalSignificantNumber(parsed, &national);
    return PhoneParts{*alpha3, national};
}

Email normalize_email(std::string_view email, const std::string& field) {
    std::string display = trim(email);
    if (display.empty()) throw missing_value(field);
    if (has_control_characters(display))
        throw invalid_value("The email address holds control characters", {field});
    const auto at = display.find('@');
    const bool shaped = display.size() <= 254 && at != std::string::npos && at > 0 &&
                        display.find('@', at + 1) == std::string::npos &&
                        display.find_first_of(" \t\r\n<>,;\"") == std::string::npos;
    const auto domain = shaped ? std::string_view(display).substr(at + 1) : std::string_view{};
    const auto dot = domain.find('.');
    if (!shaped || dot == std::string_view::npos || dot == 0 || domain.back() == '.' ||
        domain.size() > 253 || at > 64) {
        throw invalid_value("The email address is not valid", {field});
    }
    return Email{display, to_lower(display)};
}

}  // namespace contactd::domain
