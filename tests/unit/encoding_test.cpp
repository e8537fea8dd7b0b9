#include <doctest/doctest.h>

#include "crypto/encoding.h"

using namespace contactd::crypto;

TEST_SUITE("crypto::encoding") {
    TEST_CASE("base64url round-trips every length") {
        std::string bytes;
        for (int i = 0; i < 40; ++i) {
            CHECK(base64url_decode(base64url_encode(bytes)) == bytes);
            bytes.push_back(static_cast<char>(i * 37));
        }
    }
    TEST_CASE("base64url matches RFC 4648 vectors without padding") {
        CHECK(base64url_encode("foobar") == "Zm9vYmFy");
        CHECK(base64url_encode("fo") == "Zm8");
        CHECK(base64url_encode("\xfb\xff") == "-_8");
    }
    TEST_CASE("base64url rejects foreign characters, padding and non-canonical tails") {
        CHECK_FALSE(base64url_decode("Zm8=").has_value());
        CHECK_FALSE(base64url_decode("Zm+v").has_value());
        CHECK_FALSE(base64url_decode("Z").has_value());
        CHECK_FALSE(base64url_decode("Zm9").has_value());  // "fo" is "Zm8": low bits set
        CHECK_FALSE(base64url_decode("Zm9=").has_value());
        CHECK(base64url_decode("Zm9w").value() == "fop");
        CHECK_FALSE(base64url_decode("Zh").has_value());  // low bits set: not canonical
    }
    TEST_CASE("to_hex is lowercase") {
        CHECK(to_hex("\x01\xab") == "01ab");
    }
    TEST_CASE("base64_encode matches RFC 4648 section 4 vectors, with padding") {
        CHECK(base64_encode("") == "");
        CHECK(base64_encode("f") == "Zg==");
        CHECK(base64_encode("fo") == "Zm8=");
        CHECK(base64_encode("foo") == "Zm9v");
        CHECK(base64_encode("foobar") == "Zm9vYmFy");
        CHECK(base64_encode("\xfb\xff") == "+/8=");
    }
}
