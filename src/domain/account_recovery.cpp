#include "domain/account_recovery.h"

#include "domain/contact_points.h"
#include "domain/password_sign_in.h"
#include "domain/identity_proof.h"
#include "domain/password_policy.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::domain {
namespace {

Error invalid_link(LinkFailure failure) {
    return not_authenticated(failure == LinkFailure::Expired
                                 ? "The link has expired; ask for a new one"
                                 : "The link is not valid or was already used",
                             "INVALIDTOKENEXCEPTION");
}

bool is_pending(const storage::IdentityRecord& i) {
    return i.requires_verification && !i.is_verified;
}

}  // namespace

AccountRecovery::AccountRecovery(storage::Store& store, const Clock& clock,
                                 const EmailLinkTokens& links, const SessionService& sessions,
                                 const OutboxWriter& outbox, const crypto::PasswordHasher& hasher,
                                 const SecurityEvents& events)
    : store_(store),
      clock_(clock),
      links_(links),
      sessions_(sessions),
      outbox_(outbox),
      hasher_(hasher),
      events_(events) {}

void AccountRecovery::forgot_password(const std::string& email, const std::string& field,
                                      const ClientInfo& client) {
    const auto address = normalize_email(email, field);
    store_.write([&](storage::Repositories& repos) {
        auto identity = repos.identities().find_by_value("EMAIL", address.key);
        if (identity && is_pending(*identity)) identity.reset();  // nobody's yet
        const auto contact = identity ? repos.contacts().find(identity->contact_id) : std::nullopt;
        if (!contact) identity.reset();
        // The same token row, count and event whoever asks; only a match gets the email.
        const auto issued =
            links_.issue(repos, {link_purpose::kResetPassword, address.key,
                                 contact ? std::optional(contact->id) : std::nullopt,
                                 identity ? std::optional(identity->id) : std::nullopt, false});
        if (contact) {
            outbox_.queue_link(repos, identity->value, MessageKind::PasswordReset, *contact,
                               issued.url, issued.token, issued.minutes);
        }
        events_.record(
            repos, security_event::kPasswordResetRequested,
            contact ? std::optional(contact->id) : std::nullopt, client,
            {{"destination", obfuscate_email(address.display)}, {"matched", contact.has_value()}});
    });
    outbox_.wake();
}

void AccountRecovery::reset_password(const std::string& token, const std::string& password,
                                     const ClientInfo& client) {
    // The token first: a stranger learns nothing about the password policy of anyone.
    const auto found = store_.read([&](storage::Repositories& repos) {
        auto link = links_.find(repos, link_purpose::kResetPassword, token);
        if (!link) throw invalid_link(link.error());
        auto identity = repos.identities().find(*link->identity_id);
        if (!identity) throw invalid_link(LinkFailure::Unknown);
        return std::move(*identity);
    });
    const auto normalized = accept_new_password(password, found.display_value);
    const auto password_hash = hasher_.hash(normalized);
    store_.write([&](storage::Repositories& repos) {
        const auto now = clock_.now();
        auto link = links_.redeem(repos, link_purpose::kResetPassword, token);
        if (!link) throw invalid_link(link.error());
        const auto identity = repos.identities().find(*link->identity_id);
        if (!identity || identity->contact_id != *link->contact_id)
            throw invalid_link(LinkFailure::Unknown);
        const auto contact = repos.contacts().find(identity->contact_id);
        if (!contact) throw invalid_link(LinkFailure::Unknown);
        // Whoever holds the email proves it now: a first proof ends what came before.
        prove_identity(repos, sessions_, *identity, false, client);
        repos.identities().set_password_hash(identity->id, password_hash);
        repos.contacts().set_verified(contact->id, now);
        repos.email_links().spend_all_for_identity(identity->id, link_purpose::kResetPassword, now);
        repos.sign_in_failures().clear(sign_in_failure_key(identity->value));
        sessions_.revoke_all(repos, contact->id, client, "PASSWORD_RESET");
        events_.record(repos, security_event::kPasswordChanged, contact->id, client,
                       {{"identity_id", identity->id},
                        {"via", "RESET_LINK"},
                        {"first", !identity->password_hash}});
        outbox_.queue_notice(repos, "EMAIL", identity->value, MessageKind::PasswordSet, *contact);
    });
    outbox_.wake();
}

void AccountRecovery::request_email_verification(const std::string& email, const std::string& field,
                                                 const ClientInfo& client) {
    const auto address = normalize_email(email, field);
    store_.write([&](storage::Repositories& repos) {
        auto identity = repos.identities().find_by_value("EMAIL", address.key);
        if (identity && (identity->is_verified || is_pending(*identity))) identity.reset();
        const auto contact = identity ? repos.contacts().find(identity->contact_id) : std::nullopt;
        if (!contact) identity.reset();
        const auto issued =
            links_.issue(repos, {link_purpose::kVerifyEmail, address.key,
                                 contact ? std::optional(contact->id) : std::nullopt,
                                 identity ? std::optional(identity->id) : std::nullopt, false});
        if (contact) {
            outbox_.queue_link(repos, identity->value, MessageKind::VerifyEmail, *contact,
                               issued.url, issued.token, issued.minutes);
        }
        events_.record(repos, security_event::kCodeSent,
                       contact ? std::optional(contact->id) : std::nullopt, client,
                       {{"channel", "EMAIL"},
                        {"purpose", link_purpose::kVerifyEmail},
                        {"destination", obfuscate_email(address.display)},
                        {"matched", contact.has_value()}});
    });
    outbox_.wake();
}

VerifiedEmail AccountRecovery::verify_email(const std::string& token, const ClientInfo& client) {
    return store_.write([&](storage::Repositories& repos) {
        const auto now = clock_.now();
        auto link = links_.redeem(repos, link_purpose::kVerifyEmail, token);
        if (!link) throw invalid_link(link.error());
        const auto identity = repos.identities().find(*link->identity_id);
        if (!identity || identity->contact_id != *link->contact_id)
            throw invalid_link(LinkFailure::Unknown);
        prove_identity(repos, sessions_, *identity, link->claimant, client);
        repos.contacts().set_verified(identity->contact_id, now);
        repos.email_links().spend_all_for_identity(identity->id, link_purpose::kVerifyEmail, now);
        return VerifiedEmail{identity->contact_id};
    });
}

}  // namespace contactd::domain
