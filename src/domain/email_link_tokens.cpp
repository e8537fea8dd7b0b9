#include "domain/email_link_tokens.h"

#include <algorithm>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "domain/sms_budget.h"
#include "util/error.h"

namespace contactd::domain {
namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::size_t kTokenBytes = 32;       // 256 bits
constexpr std::size_t kTokenCharacters = 43;  // base64url without padding

std::string hash_of(const std::string& token) {
    return crypto::to_hex(crypto::sha256(token));
}

bool token_shaped(const std::string& token) {
    return token.size() == kTokenCharacters && std::all_of(token.begin(), token.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
           });
}

const char* page_of(const std::string& purpose) {
    return purpose == link_purpose::kResetPassword ? "/reset-password" : "/verify-email";
}

}  // namespace

EmailLinkTokens::EmailLinkTokens(const Clock& clock, std::string limit_key, EmailLinkPolicy policy)
    : clock_(clock), limit_key_(std::move(limit_key)), policy_(std::move(policy)) {}

void EmailLinkTokens::count_for_day(storage::Repositories& repos, const LinkRequest& request,
                                    std::int64_t now) const {
    const auto digest = crypto::to_hex(
        crypto::hmac_sha256(limit_key_, "link|" + request.purpose + "|" + request.destination));
    const auto day = utc_day(now);
    const auto next_day = (day + 1) * kDay;
    if (!repos.limiter().count("link|" + std::to_string(day) + "|" + digest.substr(0, 32), next_day,
                               policy_.max_per_day)) {
        throw rate_limited("Too many emails for this address today; try again tomorrow",
                           next_day - now);
    }
}

IssuedLink EmailLinkTokens::issue(storage::Repositories& repos, const LinkRequest& request) const {
    if (request.purpose != link_purpose::kResetPassword &&
        request.purpose != link_purpose::kVerifyEmail)
        throw std::logic_error("unknown link purpose " + request.purpose);
    const auto now = clock_.now();
    if (const auto last = repos.email_links().latest(request.destination, request.purpose)) {
        const auto wait = last->created_at + policy_.resend_interval - now;
        if (wait > 0)
            throw rate_limited("An email was sent recently; wait before asking for another", wait);
    }
    const auto window =
        repos.email_links().issued_since(request.destination, request.purpose, now - kHour + 1);
    if (window.count >= policy_.max_per_hour) {
        throw rate_limited("Too many emails for this address; try again later",
                           std::max<std::int64_t>(1, window.oldest + kHour - now));
    }
    count_for_day(repos, request, now);
    // Spent and expired tokens are kept for the hour that counts them, then go.
    repos.email_links().delete_expired(now, now - kHour);
    repos.email_links().replace_all(request.destination, request.purpose, now);

    const auto ttl =
        request.purpose == link_purpose::kResetPassword ? policy_.reset_ttl : policy_.verify_ttl;
    IssuedLink out;
    out.token = crypto::random_token(kTokenBytes);
    auto& r = out.record;
    r.id = crypto::uuid_v7();
    r.token_hash = hash_of(out.token);
    r.purpose = request.purpose;
    r.destination = request.destination;
    r.contact_id = request.contact_id;
    r.identity_id = request.identity_id;
    r.claimant = request.claimant;
    r.created_at = now;
    r.expires_at = now + ttl;
    repos.email_links().insert(r);
    out.url = policy_.public_url + page_of(request.purpose) + "?token=" + out.token;
    out.minutes = (ttl + 59) / 60;
    return out;
}

tl::expected<storage::EmailLinkTokenRecord, LinkFailure> EmailLinkTokens::find(
    storage::Repositories& repos, const std::string& purpose, const std::string& token) const {
    if (!token_shaped(token)) return tl::unexpected(LinkFailure::Unknown);
    auto record = repos.email_links().find_by_hash(hash_of(token));
    // A decoy never redeems; a token of the other purpose is no token of this one.
    if (!record || record->purpose != purpose || !record->contact_id || !record->identity_id)
        return tl::unexpected(LinkFailure::Unknown);
    if (record->used_at || record->replaced_at) return tl::unexpected(LinkFailure::Spent);
    if (clock_.now() >= record->expires_at) return tl::unexpected(LinkFailure::Expired);
    return *record;
}

tl::expected<storage::EmailLinkTokenRecord, LinkFailure> EmailLinkTokens::redeem(
    storage::Repositories& repos, const std::string& purpose, const std::string& token) const {
    auto record = find(repos, purpose, token);
    if (!record) return record;
    const auto now = clock_.now();
    if (!repos.email_links().consume(record->id, now)) return tl::unexpected(LinkFailure::Spent);
    record->used_at = now;
    return record;
}

}  // namespace contactd::domain
