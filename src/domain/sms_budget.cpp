#include "domain/sms_budget.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <list>
#include <optional>

#include "util/countries.h"
#include "util/error.h"
#include "util/log.h"

namespace contactd::domain {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

SmsBudget::SmsBudget(const Clock& clock, SmsPolicy policy)
    : clock_(clock), policy_(std::move(policy)) {}

namespace {

// The region of the calling code that starts an E.164 number when that code belongs to one
// region only (most do): GetRegionCodeForNumber answers exactly that without looking at the
// rest, and parsing is most of the cost of a budget check on the writer thread.
std::optional<std::string> sole_region(const PhoneNumberUtil& util, const std::string& e164) {
    if (e164.size() < 2 || e164[0] != '+') return std::nullopt;
    int code = 0;
    // Calling codes are 1-3 digits and prefix-free: the first that is known is the one.
    for (std::size_t i = 1; i <= 3 && i < e164.size(); ++i) {
        if (e164[i] < '0' || e164[i] > '9') return std::nullopt;
        code = code * 10 + (e164[i] - '0');
        std::list<std::string> regions;
        util.GetRegionCodesForCountryCallingCode(code, &regions);
        if (regions.empty()) continue;
        if (regions.size() == 1) return regions.front();
        return std::nullopt;  // shared (+1, +7, +44…): the number's digits decide
    }
    return std::nullopt;
}

}  // namespace

std::string SmsBudget::country_of(const std::string& e164) {
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    if (auto region = sole_region(util, e164)) return alpha3_from_alpha2(*region).value_or(*region);
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
