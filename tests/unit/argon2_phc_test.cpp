#include <argon2.h>
#include <doctest/doctest.h>

#include <string>

#include "crypto/argon2_phc.h"
#include "crypto/password.h"

using namespace contactd::crypto;

namespace {

// libargon2's own encoder, the reference contactd's strings must match.
std::string reference_phc(const Argon2Params& p, const std::string& password,
                          const std::string& salt) {
    std::string encoded(argon2_encodedlen(p.iterations, p.memory_kib, p.parallelism,
                                          static_cast<std::uint32_t>(salt.size()), 32, Argon2_id),
                        '\0');
    REQUIRE(argon2id_hash_encoded(p.iterations, p.memory_kib, p.parallelism, password.data(),
                                  password.size(), salt.data(), salt.size(), 32, encoded.data(),
                                  encoded.size()) == ARGON2_OK);
    encoded.resize(encoded.find('\0'));
    return encoded;
}

}  // namespace

TEST_SUITE("crypto::argon2_phc") {
    TEST_CASE("argon2_phc: format_phc writes what libargon2 writes, and parse_phc reads it back") {
        const Argon2Params params{1024, 2, 1};
        const std::string salt = "sixteen byte slt";
        const auto reference = reference_phc(params, "a password", salt);
        const auto parsed = parse_phc(reference);
        REQUIRE(parsed);
        CHECK(parsed->params.memory_kib == 1024);
        CHECK(parsed->params.iterations == 2);
        CHECK(parsed->params.parallelism == 1);
        CHECK(parsed->salt == salt);
        CHECK(parsed->hash.size() == 32);
        CHECK(format_phc(parsed->params, parsed->salt, parsed->hash) == reference);
    }

    TEST_CASE("argon2_phc: verify accepts hashes libargon2 made, at their own cost") {
        PasswordHasher hasher;
        const auto cheap = reference_phc({1024, 1, 1}, "stored long ago", "an old salt!");
        CHECK(hasher.verify(cheap, "stored long ago"));
        CHECK_FALSE(hasher.verify(cheap, "stored long ago."));
        CHECK(hasher.needs_rehash(cheap));
        // Larger than the current memory cost, then smaller again: each gets what it names.
        const auto big = reference_phc({32768, 1, 1}, "bigger", "another salt");
        CHECK(hasher.verify(big, "bigger"));
        CHECK(hasher.verify(cheap, "stored long ago"));
        const auto current = reference_phc({19456, 2, 1}, "current", "sixteen byte slt");
        CHECK(hasher.verify(current, "current"));
        CHECK_FALSE(hasher.needs_rehash(current));
    }

    TEST_CASE("argon2_phc: parse_phc refuses anything but a well-formed argon2id v19 string") {
        const auto good = reference_phc({1024, 1, 1}, "x", "saltsalt");
        REQUIRE(parse_phc(good));
        const auto tail = good.substr(good.find("$", 20));  // "$<salt>$<hash>"
        CHECK_FALSE(parse_phc(""));
        CHECK_FALSE(parse_phc("$argon2i$v=19$m=1024,t=1,p=1" + tail));
        CHECK_FALSE(parse_phc("$argon2d$v=19$m=1024,t=1,p=1" + tail));
        CHECK_FALSE(parse_phc("$argon2id$v=16$m=1024,t=1,p=1" + tail));
        CHECK_FALSE(parse_phc("$argon2id$m=1024,t=1,p=1" + tail));
        CHECK_FALSE(parse_phc("$argon2id$v=19$m=1024,t=0,p=1" + tail));
        CHECK_FALSE(parse_phc("$argon2id$v=19$m=1024,t=1,p=0" + tail));
        CHECK_FALSE(parse_phc("$argon2id$v=19$m=7,t=1,p=1" + tail));            // < 8 KiB per lane
        CHECK_FALSE(parse_phc("$argon2id$v=19$m=1024,t=1,p=200" + tail));       // the same
        CHECK_FALSE(parse_phc("$argon2id$v=19$m=99999999999,t=1,p=1" + tail));  // overflow
        CHECK_FALSE(parse_phc("$argon2id$v=19$m=-1,t=1,p=1" + tail));
        CHECK_FALSE(parse_phc("$argon2id$v=19$m=1024x,t=1,p=1" + tail));
        CHECK_FALSE(parse_phc("$argon2id$v=19$t=1,m=1024,p=1" + tail));
        CHECK_FALSE(parse_phc("$argon2id$v=19$m=1024,t=1,p=1"));
        CHECK_FALSE(parse_phc("$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ"));  // no hash
        CHECK_FALSE(parse_phc(good + "="));                                   // padding
        CHECK_FALSE(parse_phc(good + "$"));
        CHECK_FALSE(parse_phc("$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$" +
                              good.substr(good.rfind('$') + 1)));                  // 4-byte salt
        CHECK_FALSE(parse_phc("$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFz"));  // 3-byte hash
        std::string url_alphabet = good;
        url_alphabet.back() = '_';
        CHECK_FALSE(parse_phc(url_alphabet));
    }
}
