#include "domain/auth_service.h"

#include "crypto/random.h"
#include "domain/contact_points.h"
#include "domain/identity_proof.h"
#include "domain/new_records.h"
#include "domain/profile_fields.h"
#include "domain/transaction.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::domain {
namespace {

Error code_failure(OtpFailure failure) {
    if (failure == OtpFailure::Burned) {
        return not_authenticated("Too many wrong codes; ask for a new code",
                                 "OTPATTEMPTSEXCEEDEDEXCEPTION");
    }
    return not_authenticated("The code is not valid or has expired", "INVALIDOTPEXCEPTION");
}

const char* failure_name(OtpFailure failure) {
    switch (failure) {
        case OtpFailure::Unknown:
            return "UNKNOWN";
        case OtpFailure::Wrong:
            return "WRONG";
        case OtpFailure::Expired:
            return "EXPIRED";
        case OtpFailure::Burned:
            return "BURNED";
        case OtpFailure::Used:
            return "USED";
    }
    return "WRONG";
}

}  // namespace

AuthService::AuthService(storage::Store& store, const Clock& clock, const OtpService& otps,
                         const SessionService& sessions, const OutboxWriter& outbox,
                         const SecurityEvents& events)
    : store_(store),
      clock_(clock),
      otps_(otps),
      sessions_(sessions),
      outbox_(outbox),
      events_(events) {}

void record_code_sent(const SecurityEvents& events, storage::Repositories& repos,
                      const IssuedCode& issued, const ClientInfo& client) {
    const auto& otp = issued.record;
    const Destination destination{otp.channel == "SMS" ? "PHONE" : "EMAIL", otp.destination,
                                  otp.destination};
    nlohmann::json detail = {{"channel", otp.channel},
                             {"purpose", otp.purpose},
                             {"destination", obfuscate(destination)},
                             {"matched", otp.contact_id.has_value()}};
    if (issued.fixed) detail["test_identity"] = true;  // its fixed code; nothing was sent
    events.record(repos, security_event::kCodeSent, otp.contact_id, client, detail);
}

void AuthService::code_sent(storage::Repositories& repos, const IssuedCode& issued,
                            const ClientInfo& client) const {
    record_code_sent(events_, repos, issued, client);
}

Error AuthService::code_failed(storage::Repositories& repos,
                               const std::optional<std::string>& otp_id, OtpFailure failure,
                               const ClientInfo& client) const {
    const auto otp = otp_id ? repos.otps().find(*otp_id) : std::nullopt;
    const auto contact_id = otp ? otp->contact_id : std::nullopt;
    events_.record(repos, security_event::kCodeFailed, contact_id, client,
                   {{"reason", failure_name(failure)}});
    // The wrong code that used up the last attempt burned the code.
    if (failure == OtpFailure::Wrong && otp && otp->attempts >= otps_.policy().max_attempts) {
        events_.record(repos, security_event::kLockedOut, contact_id, client,
                       {{"what", "CODE"}, {"attempts", otp->attempts}});
    }
    return code_failure(failure);
}

Destination AuthService::destination_of(const CredentialInput& credential) {
    const auto name = to_upper(credential.name);
    if (name == "PHONE") {
        auto e164 = normalize_phone(credential.value, credential.country_code, "value");
        return {"PHONE", e164, e164, "value"};
    }
    if (name == "EMAIL") {
        auto email = normalize_email(credential.value, "value");
        return {"EMAIL", email.key, email.display};
    }
    throw invalid_value("A PHONE or EMAIL credential is required", {"credentials"});
}

Destination AuthService::destination_of(const IdentityInput& identity) {
    const auto provider = to_upper(identity.provider);
    if (provider == "PHONE") {
        if (!identity.phone_number) throw missing_value("phone_number");
        auto e164 = normalize_phone(*identity.phone_number, identity.country_code, "phone_number");
        return {"PHONE", e164, e164};
    }
    if (provider == "EMAIL") {
        if (!identity.email) throw missing_value("email");
        auto email = normalize_email(*identity.email, "email");
        return {"EMAIL", email.key, email.display};
    }
    throw invalid_value("provider must be PHONE, EMAIL or FACEBOOK", {"provider"});
}

RegistrationResult AuthService::register_contact(const RegistrationInput& input,
                                                 const ClientInfo& client) {
    const auto provider = to_upper(input.identity.provider);
    if (provider != "PHONE" && provider != "EMAIL") {
        throw invalid_value("provider must be PHONE, EMAIL or FACEBOOK", {"provider"});
    }
    if (input.identity.password) {
        // Sign-up with a password is CredentialService::register_contact.
        throw invalid_value("A password sign-up goes through the credential service", {"password"});
    }
    const auto first_name = clean(input.first_name);
    const auto last_name = clean(input.last_name);
    if (!first_name) throw missing_value("first_name");
    if (!last_name) throw missing_value("last_name");
    // Checked before anything else, also when the identity exists and nothing is written.
    clean_profile_extras(input.middle_name, input.language_code, input.custom_fields);
    const Destination destination = destination_of(input.identity);

    auto challenge = store_.write([&](storage::Repositories& repos) {
        const auto now = clock_.now();
        auto existing = repos.identities().find_by_value(destination.provider, destination.key);
        if (existing && existing->requires_verification && !existing->is_verified) {
            // Another contact added it and never proved it: it is nobody's yet.
            repos.identities().remove(existing->id);
            existing.reset();
        }
        if (existing) {
            // Already registered: sign that contact in by code; change nothing else.
            auto contact = repos.contacts().find(existing->contact_id);
            auto issued =
                otps_.issue(repos, {destination.channel(), destination.key, otp_purpose::kSignIn,
                                    existing->contact_id, existing->id, destination.field});
            outbox_.queue_code(repos, issued, MessageKind::SignInCode, contact);
            code_sent(repos, issued, client);
            return OtpChallenge{issued.record.id, obfuscate(destination), existing->contact_id};
        }
        auto made = new_contact(input, first_name, last_name, now);
        auto& contact = made.contact;
        if (destination.provider == "EMAIL") {
            contact.email = destination.display;
            contact.phone = input.recorded_phone;
        } else {
            contact.phone = destination.display;
        }
        const auto identity = new_identity(contact.id, destination, now);
        insert_contact(repos, made);
        repos.identities().insert(identity);
        // A refused code (rate limit) rolls the whole registration back.
        auto issued =
            otps_.issue(repos, {destination.channel(), destination.key, otp_purpose::kRegister,
                                contact.id, identity.id, destination.field});
        outbox_.queue_code(repos, issued, MessageKind::SignUpCode, contact);
        code_sent(repos, issued, client);
        return OtpChallenge{issued.record.id, obfuscate(destination), contact.id};
    });
    outbox_.wake();
    return challenge;
}

OtpChallenge AuthService::request_code(const Destination& destination, const ClientInfo& client) {
    auto challenge = store_.write([&](storage::Repositories& repos) {
        std::optional<storage::ContactRecord> contact;
        std::optional<std::string> identity_id;
        auto identity = repos.identities().find_by_value(destination.provider, destination.key);
        // An identity added to a contact signs in only once it is proven (credential_service.h).
        if (identity && identity->requires_verification && !identity->is_verified) identity.reset();
        if (identity) {
            contact = repos.contacts().find(identity->contact_id);
            identity_id = identity->id;
        } else {
            // A contact the back office created with this email or phone, not yet claimed.
            auto matches = destination.provider == "EMAIL"
                               ? repos.contacts().find_by_recorded_email(destination.key)
                               : repos.contacts().find_by_recorded_phone(destination.key);
            if (!matches.empty()) contact = std::move(matches.front());
        }
        auto issued =
            otps_.issue(repos, {destination.channel(), destination.key, otp_purpose::kSignIn,
                                contact ? std::optional(contact->id) : std::nullopt, identity_id,
                                destination.field});
        if (contact) outbox_.queue_code(repos, issued, MessageKind::SignInCode, contact);
        code_sent(repos, issued, client);
        return OtpChallenge{issued.record.id, obfuscate(destination), std::nullopt};
    });
    outbox_.wake();
    return challenge;
}

std::string obfuscate(const Destination& d) {
    return d.provider == "PHONE" ? obfuscate_phone(d.display) : obfuscate_email(d.display);
}

UnsignedSignIn load_signed_in(storage::Repositories& repos, UnsignedTokens tokens) {
    const auto& contact_id = tokens.claims.subject;
    auto contact = repos.contacts().find(contact_id);
    if (!contact) throw not_authenticated("The contact no longer exists");
    auto organisations = repos.organisations().list_for_contact(contact_id);
    return UnsignedSignIn{std::move(tokens), std::move(*contact), std::move(organisations)};
}

SignedIn sign(const SessionService& sessions, UnsignedSignIn sign_in) {
    return SignedIn{sessions.sign(std::move(sign_in.tokens)), std::move(sign_in.contact),
                    std::move(sign_in.organisations)};
}

UnsignedSignIn AuthService::redeem(storage::Repositories& repos, const storage::OtpRecord& otp,
                                   const ClientInfo& client) const {
    const auto now = clock_.now();
    const std::string contact_id = *otp.contact_id;
    if (otp.identity_id) {
        // REGISTER and VERIFY_IDENTITY codes are issued only to whoever set the identity
        // up (its registration or addition, or their own password change since); any
        // other code (a sign-in code its owner asked for) is the owner's proof
        // (domain/identity_proof.h).
        const bool claimant =
            otp.purpose == otp_purpose::kRegister || otp.purpose == otp_purpose::kVerifyIdentity;
        if (const auto identity = repos.identities().find(*otp.identity_id)) {
            prove_identity(repos, sessions_, *identity, claimant, client);
        } else {
            repos.identities().mark_verified(*otp.identity_id);
        }
    } else if (!repos.identities().find_by_value(otp.channel == "SMS" ? "PHONE" : "EMAIL",
                                                 otp.destination)) {
        // A back-office contact proved it owns its recorded email or phone: that is now
        // a verified identity of its own.
        auto contact = repos.contacts().find(contact_id);
        const bool phone = otp.channel == "SMS";
        auto identity =
            new_identity(contact_id,
                         {phone ? "PHONE" : "EMAIL", otp.destination,
                          phone || !contact || !contact->email ? otp.destination : *contact->email},
                         now);
        identity.is_verified = true;
        repos.identities().insert(identity);
    }
    repos.contacts().set_verified(contact_id, now);
    return load_signed_in(repos, sessions_.start(repos, contact_id, auth_method::kOtp, client));
}

SignedIn AuthService::validate_code(const std::string& auth_otp, const std::string& code,
                                    const ClientInfo& client) {
    return sign(
        sessions_,
        write_then_raise(
            store_, [&](storage::Repositories& repos) -> tl::expected<UnsignedSignIn, Error> {
                auto otp = otps_.redeem(repos, auth_otp, code);
                if (!otp) {
                    return tl::unexpected(code_failed(repos, auth_otp, otp.error(), client));
                }
                return redeem(repos, *otp, client);
            }));
}

SignedIn AuthService::validate_code(const Destination& destination, const std::string& code,
                                    const ClientInfo& client) {
    return sign(
        sessions_,
        write_then_raise(
            store_, [&](storage::Repositories& repos) -> tl::expected<UnsignedSignIn, Error> {
                const auto latest = repos.otps().latest_for_destination(destination.key);
                if (!latest) {
                    return tl::unexpected(
                        code_failed(repos, std::nullopt, OtpFailure::Unknown, client));
                }
                auto otp = otps_.redeem(repos, latest->id, code);
                if (!otp)
                    return tl::unexpected(code_failed(repos, latest->id, otp.error(), client));
                return redeem(repos, *otp, client);
            }));
}

SignedIn AuthService::refresh(const std::string& refresh_token, const ClientInfo& client) {
    return sign(
        sessions_,
        write_then_raise(store_,
                         [&](storage::Repositories& repos) -> tl::expected<UnsignedSignIn, Error> {
                             auto tokens = sessions_.refresh(repos, refresh_token, client);
                             if (!tokens) return tl::unexpected(tokens.error());
                             return load_signed_in(repos, std::move(*tokens));
                         }));
}

void AuthService::sign_out(const Bearer& bearer, const ClientInfo& client) {
    store_.write([&](storage::Repositories& repos) {
        sessions_.revoke(repos, bearer.session_id, client, "SIGN_OUT");
    });
}

}  // namespace contactd::domain
