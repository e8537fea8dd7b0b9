#include "domain/session_service.h"

#include <algorithm>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace contactd::domain {
namespace {

constexpr std::size_t kTimePrefix = 15;   // hex digits: uuid_v7's 60 bits of time
constexpr std::size_t kRandomChars = 43;  // 256 bits, base64url

// A refresh token starts with the time it was made, so that new tokens' keys sort after
// the old and storing one appends to the tokens' index instead of dirtying a random page
// of it (the writer thread writes every page a batch dirtied). 256 random bits follow.
std::string new_refresh_token() {
    const auto id = crypto::uuid_v7();
    return id.substr(0, 8) + id.substr(9, 4) + id.substr(15, 3) + crypto::random_token(32);
}

// The stored key: the token's time prefix in clear (it is no secret) and the SHA-256 of
// the whole token. Tokens issued before they had a prefix (43 characters) are their hash.
std::string hash_token(const std::string& token) {
    auto digest = crypto::to_hex(crypto::sha256(token));
    const bool timed = token.size() == kTimePrefix + kRandomChars &&
                       token.find_first_not_of("0123456789abcdef") >= kTimePrefix;
    return timed ? token.substr(0, kTimePrefix) + digest : digest;
}

Error invalid_session() {
    return not_authenticated("The token is not valid");
}

}  // namespace

SessionService::SessionService(const Clock& clock, const crypto::JwtCodec& jwt,
                               SessionPolicy policy, const SecurityEvents* events)
    : clock_(clock), jwt_(jwt), policy_(policy), events_(events) {}

UnsignedTokens SessionService::start(storage::Repositories& repos, const std::string& contact_id,
                                     const std::string& method, const ClientInfo& client) const {
    const auto now = clock_.now();
    storage::SessionRecord session;
    session.id = crypto::uuid_v7();
    session.contact_id = contact_id;
    session.auth_method = method;
    session.created_at = now;
    session.last_used_at = now;
    session.absolute_expires_at = now + policy_.refresh_absolute_ttl;
    session.user_agent = client.user_agent;
    session.ip_address = client.ip_address;
    if (client.api_key_id) {
        // The portal's per-run key is not stored: only a stored, revoked key refuses.
        const auto key = repos.api_keys().find(*client.api_key_id);
        if (key && key->revoked_at) throw not_authenticated("The api_key is not valid");
        session.api_key_id = client.api_key_id;
    }
    repos.sessions().insert(session);
    if (events_) {
        events_->record(repos, security_event::kSignInSucceeded, contact_id, client,
                        {{"method", method}, {"session_id", session.id}});
    }
    return issue(repos, session);
}

UnsignedTokens SessionService::issue(storage::Repositories& repos,
                                     const storage::SessionRecord& session) const {
    const auto now = clock_.now();
    UnsignedTokens tokens;
    tokens.refresh_token = new_refresh_token();
    storage::RefreshTokenRecord record;
    record.token_hash = hash_token(tokens.refresh_token);
    record.session_id = session.id;
    record.created_at = now;
    record.expires_at = std::min(now + policy_.refresh_idle_ttl, session.absolute_expires_at);
    repos.sessions().insert_refresh_token(record);

    auto& claims = tokens.claims;
    claims.subject = session.contact_id;
    claims.session_id = session.id;
    claims.token_id = crypto::random_token(16);
    claims.issued_at = now;
    claims.expires_at = std::min(now + policy_.access_ttl, session.absolute_expires_at);
    return tokens;
}

IssuedTokens SessionService::sign(UnsignedTokens tokens) const {
    IssuedTokens issued;
    issued.access_token = jwt_.sign(tokens.claims);
    issued.access_expires_at = tokens.claims.expires_at;
    issued.contact_id = std::move(tokens.claims.subject);
    issued.session_id = std::move(tokens.claims.session_id);
    issued.refresh_token = std::move(tokens.refresh_token);
    return issued;
}

tl::expected<UnsignedTokens, Error> SessionService::refresh(storage::Repositories& repos,
                                                            const std::string& refresh_token,
                                                            const ClientInfo& client) const {
    const auto now = clock_.now();
    const auto hash = hash_token(refresh_token);
    const auto token = repos.sessions().find_refresh_token(hash);
    if (!token) return tl::unexpected(not_authenticated("The refresh token is not valid"));
    auto session = repos.sessions().find(token->session_id);
    if (!session || session->revoked_at || now >= session->absolute_expires_at) {
        return tl::unexpected(not_authenticated("The session has ended"));
    }
    if (token->used_at || !repos.sessions().spend_refresh_token(hash, now)) {
        // When it was first used (if another writer spent it between our read and our
        // update, that is now).
        std::int64_t first_use = token->used_at.value_or(now);
        if (!token->used_at) {
            if (const auto again = repos.sessions().find_refresh_token(hash); again)
                first_use = again->used_at.value_or(now);
        }
        if (policy_.refresh_reuse_grace > 0 && now < first_use + policy_.refresh_reuse_grace) {
            // Most likely the same app refreshing from parallel calls: the winner holds
            // the successor. Refuse this one and keep the session.
            if (events_) {
                events_->record(repos, security_event::kRefreshTokenReused, session->contact_id,
                                client, {{"session_id", session->id}, {"session_revoked", false}});
            }
            return tl::unexpected(
                not_authenticated("The refresh token was just used; use its successor"));
        }
        // A spent token came back: whoever holds the chain may be an attacker.
        revoke_for_reuse(repos, *session, now, client);
        return tl::unexpected(
            not_authenticated("The refresh token was already used; the session is revoked"));
    }
    if (now >= token->expires_at)
        return tl::unexpected(not_authenticated("The refresh token has expired"));
    repos.sessions().touch(session->id, now, client.ip_address, client.user_agent);
    return issue(repos, *session);
}

void SessionService::revoke_for_reuse(storage::Repositories& repos,
                                      const storage::SessionRecord& session, std::int64_t now,
                                      const ClientInfo& client) const {
    repos.sessions().revoke(session.id, now);
    // Commits with the revocation, before the error is raised (write_then_raise).
    if (events_) {
        events_->record(repos, security_event::kRefreshTokenReused, session.contact_id, client,
                        {{"session_id", session.id}, {"session_revoked", true}});
    }
}

Bearer SessionService::authenticate(storage::Repositories& repos,
                                    const std::string& access_token) const {
    const auto claims = jwt_.verify(access_token, clock_.now());
    if (!claims) {
        if (claims.error() == crypto::JwtFailure::Expired) {
            throw Error(ErrorKind::ExpiredToken, "EXPIREDTOKENEXCEPTION",
                        "The access token has expired");
        }
        throw invalid_session();
    }
    const auto session = repos.sessions().find(claims->session_id);
    if (!session || session->revoked_at || session->contact_id != claims->subject ||
        clock_.now() >= session->absolute_expires_at) {
        throw invalid_session();
    }
    return Bearer{claims->subject, claims->session_id, session->api_key_id};
}

void SessionService::revoke(storage::Repositories& repos, const std::string& session_id,
                            const ClientInfo& client, const char* reason) const {
    const auto session = repos.sessions().find(session_id);
    repos.sessions().revoke(session_id, clock_.now());
    if (events_ && session && !session->revoked_at) {
        events_->record(repos, security_event::kSessionRevoked, session->contact_id, client,
                        {{"session_id", session_id}, {"reason", reason}});
    }
}

int SessionService::revoke_all(storage::Repositories& repos, const std::string& contact_id,
                               const ClientInfo& client, const char* reason,
                               const std::optional<std::string>& keep) const {
    const int revoked = repos.sessions().revoke_all_for_contact(contact_id, clock_.now(), keep);
    if (events_ && revoked > 0) {
        events_->record(repos, security_event::kSessionRevoked, contact_id, client,
                        {{"count", revoked}, {"reason", reason}});
    }
    return revoked;
}

}  // namespace contactd::domain
