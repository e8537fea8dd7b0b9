#include "domain/sms_budget.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "util/countries.h"
#include "util/error.h"
#include "util/log.h"

namespace contactd::domain {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

SmsBudget::SmsBudget(const Clock& clock, SmsPolicy policy)
    : clock_(clock), policy_(std::move(policy)) {}

std::string SmsBudget::country_of(const std::string& e164) {
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    PhoneNumber parsed;
    if (util.Parse(e164, "ZZ", &parsed) != PhoneNumberUtil::NO_PARSING_ERROR) return "ZZ";
    std::string region;
    util.GetRegionCodeForNumber(parsed, &region);
    if (region.empty()) return "ZZ";
    return alpha3_from_alpha2(region).value_or(region);
}

bool SmsBudget::allows(const std::string& e164) const {
    return policy_.countries.empty() || policy_.countries.contains(country_of(e164));
}

void SmsBudget::require_allowed(const std::string& e164, const std::string& field) const {
    if (!allows(e164))
        throw invalid_value("Text messages cannot be sent to this phone number's country", {field});
}

void SmsBudget::count(storage::Repositories& repos, const std::string& e164) const {
    const auto now = clock_.now();
    const auto day = utc_day(now);
    const auto next_day = (day + 1) * kDay;
    const auto refuse = [&] {
        return rate_limited("Too many text messages today; try again tomorrow", next_day - now);
    };
    const std::string prefix = "sms|" + std::to_string(day);
    if (!repos.limiter().count(prefix, next_day, policy_.daily_limit)) {
        warn_once("", day,
                  "SMS daily limit reached: " + std::to_string(policy_.daily_limit) +
                      " text messages today; codes by SMS are refused until 00:00 UTC "
                      "(CONTACTD_SMS_DAILY_LIMIT)");
        throw refuse();
    }
    const auto country = country_of(e164);
    if (!repos.limiter().count(prefix + "|" + country, next_day, policy_.daily_limit_per_country)) {
        warn_once(country, day,
                  "SMS daily limit for country " + country +
                      " reached: " + std::to_string(policy_.daily_limit_per_country) +
                      " text messages today; codes by SMS there are refused until 00:00 UTC "
                      "(CONTACTD_SMS_DAILY_LIMIT_PER_COUNTRY)");
        throw refuse();
    }
}

void SmsBudget::warn_once(const std::string& cap, std::int64_t day,
                          const std::string& message) const {
    {
        std::lock_guard lock(warned_mutex_);
        auto [it, inserted] = warned_.try_emplace(cap, day);
        if (!inserted && it->second == day) return;
        it->second = day;
    }
    log::warn(message);
}

}  // namespace contactd::domain
