#pragma once
// Helpers for the message delivery tests: sign-up requests, the outbox and its attempts
// as stored, the code in a text, and an independent HMAC for webhook signatures.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <regex>
#include <string>
#include <vector>

#include "support/test_server.h"

namespace contactd::test::delivery {

inline const std::string kContacts = "/self-service/v1/contacts";

// POST /contacts/register by email or phone (OTP); REQUIREs 201 and returns the body.
inline Json register_email(TestServer& server, const std::string& email,
                           const std::string& first_name = "Andy") {
    const auto result = server.post(kContacts + "/register",
                                    {{"first_name", first_name},
                                     {"last_name", "Steward"},
                                     {"identity", {{"provider", "EMAIL"}, {"email", email}}}});
    REQUIRE(result);
    REQUIRE_MESSAGE(result->status == 201, result->body);
    return json_of(result);
}

inline Json register_phone(TestServer& server, const std::string& national,
                           const std::string& country = "CYP") {
    const auto result = server.post(
        kContacts + "/register",
        {{"first_name", "Andy"},
         {"last_name", "Steward"},
         {"identity",
          {{"provider", "PHONE"}, {"phone_number", national}, {"country_code", country}}}});
    REQUIRE(result);
    REQUIRE_MESSAGE(result->status == 201, result->body);
    return json_of(result);
}

inline int validate_status(TestServer& server, const std::string& auth_otp,
                           const std::string& code) {
    const auto result =
        server.post(kContacts + "/validate-otp", {{"auth_otp", auth_otp}, {"code", code}});
    REQUIRE(result);
    return result->status;
}

// Every outbox message, newest first, as stored.
inline std::vector<storage::MessageRecord> outbox(TestServer& server) {
    return server.app().store().read([](storage::Repositories& repos) {
        return repos.outbox().list(storage::OutboxRepository::Filter{}, 0, 100);
    });
}

// The one outbox message; REQUIREs that there is exactly one.
inline storage::MessageRecord only_message(TestServer& server) {
    const auto all = outbox(server);
    REQUIRE(all.size() == 1);
    return all.front();
}

inline std::vector<storage::MessageAttemptRecord> attempts_of(TestServer& server,
                                                              const std::string& message_id) {
    return server.app().store().read(
        [&](storage::Repositories& repos) { return repos.outbox().list_attempts(message_id); });
}

// The 6-digit code in a text; empty when there is none.
inline std::string code_in(const std::string& text) {
    std::smatch match;
    if (std::regex_search(text, match, std::regex("\\b([0-9]{6})\\b"))) return match[1].str();
    return {};
}

// HMAC-SHA-256 in lower-case hex, straight from OpenSSL (independent of src/crypto).
inline std::string hmac_sha256_hex(const std::string& key, const std::string& data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += kHex[mac[i] >> 4];
        out += kHex[mac[i] & 0x0f];
    }
    return out;
}

}  // namespace contactd::test::delivery
