#pragma once
// Sessions, their access tokens (HS256 JWTs) and refresh tokens.
//
// A refresh token is its issue time (15 hex digits, for the index's sake) and 256 random
// bits, stored only as that time and its SHA-256, and spent when used:
// refresh() hands out its successor. Presenting a spent token again revokes the whole
// session (RFC 9700 reuse detection), except within refresh_reuse_grace seconds of its
// first use: then the answer is NotAuthenticated and nothing is revoked, so that an app
// whose parallel calls all refresh at once keeps its session through the call that won
// (the others retry with the successor). A refresh token also dies after refresh_idle_ttl
// unused, and every session after refresh_absolute_ttl. Access tokens are accepted only
// while their session is live, so sign-out stops them at once. Thread-safe.
#include <tl/expected.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "crypto/jwt.h"
#include "domain/client_info.h"
#include "domain/security_events.h"
#include "storage/repositories.h"
#include "util/clock.h"
#include "util/error.h"

namespace contactd::domain {

struct SessionPolicy {
    std::int64_t access_ttl = 900;
    std::int64_t refresh_idle_ttl = 30 * 24 * 3600;
    std::int64_t refresh_absolute_ttl = 90 * 24 * 3600;
    std::int64_t refresh_reuse_grace = 10;  // seconds; 0: every reuse revokes
};

// A session's new tokens as its write transaction leaves them: the refresh token (stored,
// hashed, in that transaction) and the claims of the access token, which sign() signs
// after the commit. Signing (an HMAC and two JSON encodings) is work that other writes
// need not queue behind on the one writer thread.
struct UnsignedTokens {
    std::string refresh_token;
    crypto::JwtClaims claims;
};

struct IssuedTokens {
    std::string contact_id;
    std::string session_id;
    std::string access_token;
    std::string refresh_token;
    std::int64_t access_expires_at = 0;  // seconds
};

// Who a valid bearer token speaks for, and the API key its session was signed in
// through (none for sessions from before contactd recorded it).
struct Bearer {
    std::string contact_id;
    std::string session_id;
    std::optional<std::string> api_key_id;
};

namespace auth_method {
inline constexpr const char* kOtp = "OTP";
inline constexpr const char* kPassword = "PASSWORD";
inline constexpr const char* kFacebook = "FACEBOOK";
inline constexpr const char* kGuest = "GUEST";  // login_as_guest: a new guest contact
}  // namespace auth_method

class SessionService {
  public:
    // `events` (may be null in unit tests) records sign-ins, reuse and revocations.
    SessionService(const Clock& clock, const crypto::JwtCodec& jwt, SessionPolicy policy,
                   const SecurityEvents* events = nullptr);

    // Records SIGN_IN_SUCCEEDED with the method and the new session's id. The session
    // records client.api_key_id as its key; a key revoked by now is Error(NotAuthenticated)
    // (checked in this transaction, so no session outlives its key's revocation).
    UnsignedTokens start(storage::Repositories& repos, const std::string& contact_id,
                         const std::string& method, const ClientInfo& client) const;

    // Spends `refresh_token` and returns the session's new tokens. Errors are values so
    // that a revocation for reuse is committed before the error is reported.
    tl::expected<UnsignedTokens, Error> refresh(storage::Repositories& repos,
                                                const std::string& refresh_token,
                                                const ClientInfo& client) const;

    // The access token for the claims, outside any transaction.
    IssuedTokens sign(UnsignedTokens tokens) const;

    // Checks the token and that its session is live. Throws Error(NotAuthenticated) or
    // Error(ExpiredToken).
    Bearer authenticate(storage::Repositories& repos, const std::string& access_token) const;

    // Revokes one session (recording SESSION_REVOKED with `reason`), or every live session
    // of a contact but `keep` (one event with the count, when there were any); returns how
    // many were revoked.
    void revoke(storage::Repositories& repos, const std::string& session_id,
                const ClientInfo& client, const char* reason) const;
    int revoke_all(storage::Repositories& repos, const std::string& contact_id,
                   const ClientInfo& client, const char* reason,
                   const std::optional<std::string>& keep = std::nullopt) const;

    const SecurityEvents* events() const { return events_; }

  private:
    // A spent refresh token came back after the grace: revokes its whole session.
    void revoke_for_reuse(storage::Repositories& repos, const storage::SessionRecord& session,
                          std::int64_t now, const ClientInfo& client) const;
    UnsignedTokens issue(storage::Repositories& repos, const storage::SessionRecord& session) const;

    const Clock& clock_;
    const crypto::JwtCodec& jwt_;
    const SessionPolicy policy_;
    const SecurityEvents* events_;
};

}  // namespace contactd::domain
