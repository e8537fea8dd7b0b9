#include "domain/otp_service.h"

#include <algorithm>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "util/error.h"

namespace contactd::domain {
namespace {

constexpr std::size_t kCodeDigits = 6;
constexpr std::int64_t kHour = 3600;

bool is_code_shaped(std::string_view code) {
    return code.size() == kCodeDigits &&
           std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

OtpService::OtpService(const Clock& clock, std::string key, OtpPolicy policy, const SmsBudget& sms)
    : clock_(clock), key_(std::move(key)), policy_(policy), sms_(sms) {}

std::string OtpService::mac(const storage::OtpRecord& otp, std::string_view code) const {
    const std::string message =
        otp.id + "|" + otp.destination + "|" + otp.purpose + "|" + std::string(code);
    return crypto::to_hex(crypto::hmac_sha256(key_, message));
}

void OtpService::count_for_day(storage::Repositories& repos, const std::string& destination,
                               std::int64_t now) const {
    // Keyed, so that the limiter's rows name no phone or email.
    const auto digest = crypto::to_hex(crypto::hmac_sha256(key_, "limit|" + destination));
    const auto day = utc_day(now);
    const auto next_day = (day + 1) * kDay;
    if (!repos.limiter().count("code|" + std::to_string(day) + "|" + digest.substr(0, 32), next_day,
                               policy_.max_per_day)) {
        throw rate_limited("Too many codes for this destination today; try again tomorrow",
                           next_day - now);
    }
}

void OtpService::check_limits(storage::Repositories& repos, const OtpRequest& request,
                              std::int64_t now) const {
    const bool sms = request.channel == "SMS";
    if (sms) sms_.require_allowed(request.destination, request.field);
    if (const auto last = repos.otps().latest_for_destination(request.destination)) {
        const auto wait = last->created_at + policy_.resend_interval - now;
        if (wait > 0)
            throw rate_limited("A code was sent recently; wait before asking for another", wait);
    }
    const auto window = repos.otps().issued_since(request.destination, now - kHour + 1);
    if (window.count >= policy_.max_per_hour) {
        throw rate_limited("Too many codes for this destination; try again later",
                           std::max<std::int64_t>(1, window.oldest + kHour - now));
    }
    count_for_day(repos, request.destination, now);
    if (sms) sms_.count(repos, request.destination);
}

IssuedCode OtpService::issue(storage::Repositories& repos, const OtpRequest& request) const {
    const auto now = clock_.now();
    const auto fixed = policy_.fixed_codes.find(request.destination);
    const bool is_fixed = fixed != policy_.fixed_codes.end();
    // A test identity is sent nothing, so the limits that guard sending do not apply.
    if (!is_fixed) check_limits(repos, request, now);

    storage::OtpRecord record;
    // The auth_otp names the code, it does not prove anything (the code does): time-ordered so
    // that issuing appends to the codes' index, with 74 random bits it is still unguessable.
    record.id = crypto::uuid_v7();
    record.channel = request.channel;
    record.destination = request.destination;
    record.purpose = request.purpose;
    record.contact_id = request.contact_id;
    record.identity_id = request.identity_id;
    record.created_at = now;
    record.expires_at = now + policy_.ttl;
    std::string code = is_fixed ? fixed->second : crypto::random_digits(kCodeDigits);
    record.code_hmac = mac(record, code);
    repos.otps().insert(record);
    return IssuedCode{std::move(record), std::move(code), is_fixed};
}

tl::expected<storage::OtpRecord, OtpFailure> OtpService::redeem(storage::Repositories& repos,
                                                                const std::string& otp_id,
                                                                std::string_view code) const {
    auto otp = repos.otps().find(otp_id);
    if (!otp) return tl::unexpected(OtpFailure::Unknown);
    if (otp->used_at || otp->cancelled) return tl::unexpected(OtpFailure::Used);
    const auto now = clock_.now();
    if (now >= otp->expires_at) return tl::unexpected(OtpFailure::Expired);
    // Count first: even a correct guess past the limit fails.
    const int attempts = repos.otps().increment_attempts(otp->id);
    if (attempts > policy_.max_attempts) return tl::unexpected(OtpFailure::Burned);
    const std::string presented =
        is_code_shaped(code) ? mac(*otp, code) : std::string(otp->code_hmac.size(), '-');
    if (!crypto::constant_time_equals(presented, otp->code_hmac))
        return tl::unexpected(OtpFailure::Wrong);
    // A code for an unknown destination (a decoy) never signs anyone in.
    if (!otp->contact_id) return tl::unexpected(OtpFailure::Wrong);
    if (!repos.otps().consume(otp->id, now)) return tl::unexpected(OtpFailure::Used);
    otp->used_at = now;
    otp->attempts = attempts;
    return *otp;
}

}  // namespace contactd::domain
