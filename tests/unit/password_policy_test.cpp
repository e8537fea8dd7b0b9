#include <doctest/doctest.h>

#include <string>

#include "domain/password_policy.h"
#include "util/error.h"

using namespace contactd;
using namespace contactd::domain;

namespace {

std::string repeat(const std::string& piece, int times) {
    std::string out;
    for (int i = 0; i < times; ++i) out += piece;
    return out;
}

// The error of accept_new_password, or "" when it accepts.
std::string refusal(const std::string& password,
                    std::optional<std::string_view> email = std::nullopt) {
    try {
        accept_new_password(password, email);
        return "";
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::InvalidValue);
        CHECK(e.code() == "INVALIDVALUEEXCEPTION");
        REQUIRE(e.parameters().size() == 1);
        CHECK(e.parameters()[0] == "password");
        return e.what();
    }
}

}  // namespace

TEST_SUITE("domain::password_policy") {
    TEST_CASE("password_policy::accept_new_password takes 12 to 128 characters") {
        CHECK(refusal("Xq7#mLp2vR9z") == "");  // 12
        CHECK(refusal("Xq7#mLp2vR9") != "");   // 11
        std::string long_one;
        for (int i = 0; long_one.size() < 128; ++i)
            long_one += static_cast<char>('a' + (i * 7) % 26);
        CHECK(refusal(long_one) == "");
        CHECK(refusal(long_one + "q") != "");  // 129
        CHECK(refusal("") != "");
    }

    TEST_CASE("password_policy::accept_new_password counts code points, not bytes") {
        // 12 two-byte characters (24 bytes) are 12 characters: accepted.
        const std::string greek = "αβγδεζηθικλμ";
        REQUIRE(greek.size() == 24);
        CHECK(refusal(greek) == "");
        // 11 of them (22 bytes, more than 12 bytes) are too short.
        CHECK(refusal(greek.substr(0, 22)) != "");
        // 128 four-byte emoji (512 bytes) are 128 characters: accepted; 129 are not.
        std::string emoji;
        for (int i = 0; i < 128; ++i) {
            const char last = static_cast<char>(0x80 + (i * 5) % 37);  // U+1F600.. U+1F624, varied
            emoji += std::string("\xF0\x9F\x98") + last;
        }
        CHECK(refusal(emoji) == "");
        CHECK(refusal(emoji + "\xF0\x9F\x98\x80") != "");
    }

    TEST_CASE("password_policy::accept_new_password returns the NFC form and never truncates") {
        const std::string decomposed = "cafe\xcc\x81-au-lait-2024";
        const auto accepted = accept_new_password(decomposed);
        CHECK(accepted == "caf\xc3\xa9-au-lait-2024");
        std::string long_one = "Zq9!" + repeat("xY3", 41) + "k";  // 128 characters
        REQUIRE(long_one.size() == 128);
        CHECK(accept_new_password(long_one) == long_one);
        CHECK(refusal("valid start \xff then junk") != "");
    }

    TEST_CASE("password_policy::is_common_password uses john's list, any case") {
        CHECK(is_common_password("password"));
        CHECK(is_common_password("winniethepooh"));
        CHECK(is_common_password("WinnieThePooh"));
        CHECK(refusal("WINNIETHEPOOH") != "");
        CHECK_FALSE(is_common_password("Xq7#mLp2vR9z"));
    }

    TEST_CASE("password_policy::is_common_password refuses two list words together and repeats") {
        CHECK(is_common_password("password1234"));
        CHECK(is_common_password("qwertyqwerty"));
        CHECK(is_common_password("Sunshine123456"));
        CHECK(is_common_password("aaaaaaaaaaaaaa"));
        CHECK(is_common_password("abcabcabcabc"));
        CHECK(is_common_password(repeat("\xc3\xa9", 12)));  // éééééééééééé
        CHECK_FALSE(is_common_password("correct horse battery staple"));
        CHECK_FALSE(is_common_password("purple-otter-42-climbs"));
    }

    TEST_CASE("password_policy::accept_new_password refuses the email address") {
        CHECK(refusal("andy.steward@example.com", "andy.steward@example.com") != "");
        CHECK(refusal("Andy.Steward@Example.com", "andy.steward@example.com") != "");
        CHECK(refusal("andy.steward@example.com", "other@example.com") == "");
    }
}
