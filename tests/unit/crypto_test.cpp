// crypto: the CSPRNG helpers, SHA-256/HMAC against published vectors, constant-time
// comparison.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

using namespace contactd::crypto;

namespace {

std::string repeat(char c, std::size_t n) {
    return std::string(n, c);
}

std::string from_hex(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
}

}  // namespace

TEST_SUITE("crypto") {
    TEST_CASE("crypto::random_digits gives exactly the digits asked for, digits only") {
        for (std::size_t n : {1u, 6u, 7u, 32u, 100u}) {
            const auto s = random_digits(n);
            CHECK(s.size() == n);
            CHECK(std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }));
        }
        CHECK(random_digits(0).empty());
    }

    TEST_CASE("crypto::random_digits is uniform over 0-9 in every position (chi-square)") {
        // 12,000 six-digit codes. Per position 12,000 samples over 10 cells; over all
        // positions 72,000. Chi-square with 9 degrees of freedom: p = 1e-6 at 46.7, so a
        // correct generator essentially never fails while a modulo bias (256 % 10 = 6
        // -> digits 0..5 about 2.3% more likely) gives a statistic in the hundreds.
        constexpr int kCodes = 12000;
        std::array<std::array<int, 10>, 6> per_position{};
        std::array<int, 10> all{};
        std::set<std::string> distinct;
        for (int i = 0; i < kCodes; ++i) {
            const auto code = random_digits(6);
            REQUIRE(code.size() == 6);
            distinct.insert(code);
            for (int p = 0; p < 6; ++p) {
                ++per_position[p][code[p] - '0'];
                ++all[code[p] - '0'];
            }
        }
        auto chi_square = [](const std::array<int, 10>& cells, double total) {
            const double expected = total / 10.0;
            double chi = 0;
            for (int c : cells) chi += (c - expected) * (c - expected) / expected;
            return chi;
        };
        for (int p = 0; p < 6; ++p) {
            CAPTURE(p);
            CHECK(chi_square(per_position[p], kCodes) < 46.7);
            CHECK(per_position[p][0] > 0);  // leading zeros happen
        }
        CHECK(chi_square(all, kCodes * 6.0) < 46.7);
        // 12,000 draws from 10^6 collide ~72 times on average; far fewer distinct values
        // would mean a weak generator.
        CHECK(distinct.size() > kCodes - 300);
    }

    TEST_CASE("crypto::random_bytes and random_token have the requested size and differ") {
        CHECK(random_bytes(0).empty());
        CHECK(random_bytes(32).size() == 32);
        CHECK(random_bytes(32) != random_bytes(32));
        const auto token = random_token();
        CHECK(token.size() == 43);  // 256 bits in unpadded base64url
        CHECK(base64url_decode(token).value().size() == 32);
        CHECK(token.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
              std::string::npos);
        CHECK(random_token() != random_token());
    }

    TEST_CASE("crypto::random_bytes: a forked child never draws the bytes its parent draws next") {
        // Small draws come from a per-thread block; the child must not reuse the parent's copy.
        (void)random_bytes(16);
        int pipe_fds[2];
        REQUIRE(::pipe(pipe_fds) == 0);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            const auto child = random_bytes(16);
            const auto written = ::write(pipe_fds[1], child.data(), child.size());
            ::_exit(written == 16 ? 0 : 1);
        }
        const auto parent = random_bytes(16);
        std::string child(16, '\0');
        const auto got = ::read(pipe_fds[0], child.data(), child.size());
        int status = 0;
        ::waitpid(pid, &status, 0);
        ::close(pipe_fds[0]);
        ::close(pipe_fds[1]);
        REQUIRE(got == 16);
        CHECK(WIFEXITED(status));
        CHECK(child != parent);
        // Large draws bypass the block and still differ.
        CHECK(random_bytes(100) != random_bytes(100));
        CHECK(random_bytes(100).size() == 100);
    }

    TEST_CASE("crypto::uuid_v7 is a canonical lowercase version-7 UUID, time-ordered and unique") {
        const std::regex shape(
            "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
        const auto now_ms = [] {
            return std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                .count();
        };
        const auto before = now_ms();
        std::set<std::string> seen;
        std::string previous_time;
        for (int i = 0; i < 500; ++i) {
            const auto id = uuid_v7();
            CAPTURE(id);
            CHECK(std::regex_match(id, shape));
            // Unix milliseconds, then sub-millisecond time after the version digit.
            const std::string time = id.substr(0, 8) + id.substr(9, 4) + id.substr(15, 3);
            CHECK(time >= previous_time);
            previous_time = time;
            seen.insert(id);
        }
        const auto after = now_ms();
        const auto stamped =
            static_cast<long long>(std::stoull(previous_time.substr(0, 12), nullptr, 16));
        CHECK(stamped >= before);
        CHECK(stamped <= after);
        CHECK(seen.size() == 500);
    }

    TEST_CASE("crypto::sha256 matches FIPS 180-2 vectors") {
        CHECK(to_hex(sha256("")) ==
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        CHECK(to_hex(sha256("abc")) ==
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        CHECK(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        CHECK(sha256("abc").size() == 32);
    }

    TEST_CASE("crypto::hmac_sha256 matches RFC 4231 test vectors") {
        SUBCASE("case 1") {
            CHECK(to_hex(hmac_sha256(repeat('\x0b', 20), "Hi There")) ==
                  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        }
        SUBCASE("case 2: a key shorter than the output") {
            CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
                  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        }
        SUBCASE("case 3: binary data") {
            CHECK(to_hex(hmac_sha256(repeat('\xaa', 20), repeat('\xdd', 50))) ==
                  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
        }
        SUBCASE("case 4: a counting key") {
            CHECK(to_hex(hmac_sha256(from_hex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                                     repeat('\xcd', 50))) ==
                  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
        }
        SUBCASE("case 6: a key larger than the block size") {
            CHECK(to_hex(hmac_sha256(repeat('\xaa', 131),
                                     "Test Using Larger Than Block-Size Key - Hash Key First")) ==
                  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        }
        SUBCASE("case 7: a large key and large data") {
            CHECK(to_hex(hmac_sha256(
                      repeat('\xaa', 131),
                      "This is a test using a larger than block-size key and a larger than "
                      "block-size data. The key needs to be hashed before being used by the HMAC "
                      "algorithm.")) ==
                  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
        }
        SUBCASE("embedded NUL bytes in key and data count") {
            CHECK(hmac_sha256(std::string("k\0x", 3), "d") != hmac_sha256("k", "d"));
            CHECK(hmac_sha256("k", std::string("d\0", 2)) != hmac_sha256("k", "d"));
        }
    }

    TEST_CASE("crypto::hmac_sha256 keys each call anew on a thread's kept context") {
        const auto jefe = to_hex(hmac_sha256("Jefe", "what do ya want for nothing?"));
        // An empty key is a key, not "the previous call's key".
        CHECK(to_hex(hmac_sha256("", "")) ==
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
        CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) == jefe);
        CHECK(to_hex(hmac_sha256("", "")) ==
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
        std::vector<std::thread> threads;
        std::atomic<int> wrong{0};
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 500; ++i) {
                    const bool mine = (i + t) % 2 == 0;
                    const auto mac = to_hex(
                        mine ? hmac_sha256("Jefe", "what do ya want for nothing?") : sha256("abc"));
                    if (mac != (mine
                                    ? jefe
                                    : "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f200"
                                      "15ad"))
                        ++wrong;
                }
            });
        }
        for (auto& thread : threads) thread.join();
        CHECK(wrong.load() == 0);
    }

    TEST_CASE("crypto::constant_time_equals compares contents and lengths") {
        CHECK(constant_time_equals("", ""));
        CHECK(constant_time_equals("abcdef", "abcdef"));
        CHECK_FALSE(constant_time_equals("abcdef", "abcdeg"));
        CHECK_FALSE(constant_time_equals("abcdef", "bbcdef"));
        CHECK_FALSE(constant_time_equals("abc", "abcd"));
        CHECK_FALSE(constant_time_equals("abcd", "abc"));
        CHECK_FALSE(constant_time_equals("", "a"));
        CHECK(constant_time_equals(std::string("a\0b", 3), std::string("a\0b", 3)));
        CHECK_FALSE(constant_time_equals(std::string("a\0b", 3), std::string("a\0c", 3)));
    }
}
