#include "http/self_service_input.h"

#include "domain/contact_points.h"
#include "http/backoffice_json.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::http {

domain::IdentityInput parse_identity(const Json& identity) {
    if (!identity.is_object()) throw invalid_value("identity must be an object", {"identity"});
    domain::IdentityInput in;
    in.provider = to_upper(require_string(identity, "provider"));
    in.phone_number = get_string(identity, "phone_number");
    in.country_code = get_string(identity, "country_code");
    in.password = get_string(identity, "password");
    in.token = get_string(identity, "token");
    // v2 clients nest the phone: {"phone": {"number", "country_code"}}, and may send the
    // email under "email" either way.
    if (const auto phone = identity.find("phone"); phone != identity.end() && !phone->is_null()) {
        if (phone->is_object()) {
            in.phone_number = get_string(*phone, "number");
            if (auto cc = get_string(*phone, "country_code")) in.country_code = cc;
        } else {
            in.phone_number = get_string(identity, "phone");
        }
    }
    in.email = get_string(identity, "email");
    if (!in.email) in.email = get_string(identity, "username");
    return in;
}

domain::RegistrationInput parse_registration(const Json& body) {
    domain::RegistrationInput in;
    in.title = get_string(body, "title");
    in.first_name = get_string(body, "first_name");
    in.last_name = get_string(body, "last_name");
    in.middle_name = get_string(body, "middle_name");
    in.language_code = get_string(body, "language_code");
    if (body.contains("custom_fields")) in.custom_fields = parse_custom_fields(body);
    // CRM.COM v2 clients name it "accept_terms_&_conditions".
    auto accepted = get_bool(body, "service_acceptance");
    if (!accepted) accepted = get_bool(body, "accept_terms_&_conditions");
    in.service_acceptance = accepted.value_or(false);
    in.email_opt_out = get_bool(body, "email_opt_out").value_or(false);
    in.sms_opt_out = get_bool(body, "sms_opt_out").value_or(false);
    if (const auto it = body.find("identity"); it != body.end() && !it->is_null()) {
        in.identity = parse_identity(*it);
        return in;
    }
    if (const auto it = body.find("identification"); it != body.end() && !it->is_null()) {
        in.identity = parse_identity(*it);
        return in;
    }
    // v1 flat body: email+password, else phone by code, else email by code.
    const auto email = get_string(body, "email");
    const auto password = get_string(body, "password");
    const auto phone = get_string(body, "phone_number");
    const auto phone_country = get_string(body, "phone_country_code");
    if (email && password) {
        in.identity = {"EMAIL", std::nullopt, std::nullopt, email, password, std::nullopt};
    } else if (phone) {
        in.identity = {"PHONE", phone, phone_country, std::nullopt, std::nullopt, std::nullopt};
        return in;
    } else if (email) {
        in.identity = {"EMAIL", std::nullopt, std::nullopt, email, std::nullopt, std::nullopt};
    } else {
        throw missing_value("identity");
    }
    if (phone) in.recorded_phone = domain::normalize_phone(*phone, phone_country, "phone_number");
    return in;
}

domain::Destination parse_code_destination(const Json& body) {
    auto method = get_string(body, "send_method");
    if (!method) method = get_string(body, "method");
    std::optional<std::string> wanted;
    if (method) {
        const auto m = to_upper(*method);
        if (m == "SMS") {
            wanted = "PHONE";
        } else if (m == "EMAIL") {
            wanted = "EMAIL";
        } else {
            throw invalid_value("send_method must be SMS or EMAIL", {"send_method"});
        }
    }
    const auto credentials = body.find("credentials");
    if (credentials == body.end() || !credentials->is_array()) throw missing_value("credentials");
    for (const auto& credential : *credentials) {
        if (!credential.is_object())
            throw invalid_value("credentials must be objects", {"credentials"});
        const auto name = to_upper(get_string(credential, "name").value_or(""));
        if (name != "PHONE" && name != "EMAIL") continue;  // CARD, BIRTHDATE, ... are ignored
        if (wanted && name != *wanted) continue;
        return domain::AuthService::destination_of(domain::CredentialInput{
            name, require_string(credential, "value"), get_string(credential, "country_code")});
    }
    throw invalid_value(wanted ? "No " + *wanted + " credential for that send_method"
                               : "A PHONE or EMAIL credential is required",
                        {"credentials"});
}

CodeSubmission parse_code_submission(const Json& body) {
    CodeSubmission submission;
    const auto code = body.find("code");
    if (code == body.end() || code->is_null()) throw missing_value("code");
    if (code->is_string()) {
        submission.code = trim(code->get<std::string>());
    } else if (code->is_number_unsigned()) {
        submission.code = std::to_string(code->get<std::uint64_t>());
        if (submission.code.size() < 6) submission.code.insert(0, 6 - submission.code.size(), '0');
    } else {
        throw invalid_value("code must be a string", {"code"});
    }
    if (auto auth_otp = get_string(body, "auth_otp")) {
        submission.target = *auth_otp;
    } else if (body.contains("credentials")) {
        submission.target = parse_code_destination(body);
    } else {
        throw missing_value("auth_otp");
    }
    return submission;
}

}  // namespace contactd::http
