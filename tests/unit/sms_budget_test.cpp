// domain::SmsBudget::country_of: the country a budget counts a number against, for calling
// codes of one region (answered without parsing) and for shared ones (+1, +7, +44), where
// the number's digits decide.
#include <doctest/doctest.h>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <string>

#include "domain/sms_budget.h"
#include "util/countries.h"

using contactd::domain::SmsBudget;

namespace {

// What a full parse answers, the way country_of did before its shortcut.
std::string parsed_country(const std::string& e164) {
    using i18n::phonenumbers::PhoneNumberUtil;
    const auto& util = *PhoneNumberUtil::GetInstance();
    i18n::phonenumbers::PhoneNumber parsed;
    if (util.Parse(e164, "ZZ", &parsed) != PhoneNumberUtil::NO_PARSING_ERROR) return "ZZ";
    std::string region;
    util.GetRegionCodeForNumber(parsed, &region);
    return contactd::alpha3_from_alpha2(region).value_or(region);
}

}  // namespace

TEST_SUITE("sms_budget") {
    TEST_CASE("SmsBudget::country_of: one-region calling codes and shared ones") {
        CHECK(SmsBudget::country_of("+35799123456") == "CYP");
        CHECK(SmsBudget::country_of("+4915112345678") == "DEU");
        CHECK(SmsBudget::country_of("+302101234567") == "GRC");
        CHECK(SmsBudget::country_of("+447400123456") == "GBR");
        CHECK(SmsBudget::country_of("+14155550123") == "USA");
        CHECK(SmsBudget::country_of("+16135550123") == "CAN");
        CHECK(SmsBudget::country_of("+79161234567") == "RUS");
        CHECK(SmsBudget::country_of("+77012345678") == "KAZ");
        CHECK(SmsBudget::country_of("not a number") == "ZZ");
    }

    TEST_CASE("SmsBudget::country_of answers what a full parse answers") {
        for (const std::string number :
             {"+35796123456", "+306912345678", "+33612345678", "+390612345678", "+3906698123",
              "+61412345678", "+61891621234", "+972501234567", "+97150123456", "+8613800138000",
              "+12425551234", "+447781123456", "+18095551234", "+4474001234", "+262262123456",
              "+262692123456", "+80012345678", "+999123"}) {
            CAPTURE(number);
            CHECK(SmsBudget::country_of(number) == parsed_country(number));
        }
    }
}
