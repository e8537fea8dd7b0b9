#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>

#include "crypto/password.h"
#include "util/error.h"

using namespace contactd;
using namespace contactd::crypto;

TEST_SUITE("crypto::password") {
    TEST_CASE(
        "password::hash makes an argon2id PHC string with OWASP parameters and a fresh salt") {
        PasswordHasher hasher;
        const auto a = hasher.hash("correct horse battery");
        const auto b = hasher.hash("correct horse battery");
        CHECK(a.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0);
        CHECK(a != b);  // the salt differs
        CHECK(a.find("correct") == std::string::npos);
        // 16 bytes of salt are 22 base64 characters; 32 bytes of hash are 43.
        const auto salt_start = std::string("$argon2id$v=19$m=19456,t=2,p=1$").size();
        const auto dollar = a.find('$', salt_start);
        CHECK(dollar - salt_start == 22);
        CHECK(a.size() - dollar - 1 == 43);
        CHECK_FALSE(hasher.needs_rehash(a));
    }

    TEST_CASE("password::verify accepts the password and nothing else, never a prefix") {
        PasswordHasher hasher;
        const std::string password = "tr0ub4dor&3-but-longer";
        const auto phc = hasher.hash(password);
        CHECK(hasher.verify(phc, password));
        CHECK_FALSE(hasher.verify(phc, password.substr(0, password.size() - 1)));
        CHECK_FALSE(hasher.verify(phc, password + "x"));
        CHECK_FALSE(hasher.verify(phc, "Tr0ub4dor&3-but-longer"));
        CHECK_FALSE(hasher.verify("not a hash", password));
        CHECK_FALSE(hasher.verify("$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaA", password));
        // A password with a NUL byte in it is all of it, not the part before the NUL.
        const std::string with_nul("abcdefgh\0ijklmnop", 17);
        const auto nul_phc = hasher.hash(with_nul);
        CHECK(hasher.verify(nul_phc, with_nul));
        CHECK_FALSE(hasher.verify(nul_phc, "abcdefgh"));
    }

    TEST_CASE("password::needs_rehash notices other parameters") {
        PasswordHasher cheap(
            PasswordHasherOptions{Argon2Params{1024, 1, 1}, 2, 8, std::chrono::milliseconds(100)});
        const auto phc = cheap.hash("another long password");
        CHECK(phc.rfind("$argon2id$v=19$m=1024,t=1,p=1$", 0) == 0);
        PasswordHasher standard;
        CHECK(standard.needs_rehash(phc));
        CHECK(
            standard.verify(phc, "another long password"));  // still verifies by its own parameters
    }

    TEST_CASE("password::verify_dummy costs about what verify costs") {
        PasswordHasher hasher;
        const auto phc = hasher.hash("the real password here");
        auto time = [](auto&& fn) {
            const auto start = std::chrono::steady_clock::now();
            for (int i = 0; i < 3; ++i) fn();
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        };
        const double real = time([&] { (void)hasher.verify(phc, "a wrong password!!"); });
        const double dummy = time([&] { hasher.verify_dummy("a wrong password!!"); });
        CHECK(dummy / real > 0.4);
        CHECK(dummy / real < 2.5);
    }

    TEST_CASE("password::gate refuses when every slot is held past the wait, then recovers") {
        PasswordHasher hasher(
            PasswordHasherOptions{Argon2Params{1024, 1, 1}, 1, 1, std::chrono::milliseconds(50)});
        const auto phc = hasher.hash("a password to check");
        {
            auto held = hasher.acquire();
            const auto start = std::chrono::steady_clock::now();
            try {
                (void)hasher.verify(phc, "a password to check");
                FAIL("verify ran although the only slot was held");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::RateLimited);
                CHECK(e.retry_after() == 1);
            }
            CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(45));
            CHECK_THROWS_AS(hasher.hash("x"), Error);
        }
        CHECK(hasher.verify(phc, "a password to check"));
        CHECK(hasher.peak_concurrent() == 1);
    }

    TEST_CASE("password::gate with no room to wait refuses at once") {
        PasswordHasher hasher(
            PasswordHasherOptions{Argon2Params{1024, 1, 1}, 1, 0, std::chrono::seconds(10)});
        auto held = hasher.acquire();
        const auto start = std::chrono::steady_clock::now();
        CHECK_THROWS_AS(hasher.verify_dummy("whatever"), Error);
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
    }

    TEST_CASE("password::refuse_if_full refuses only while every slot runs and the queue is full") {
        PasswordHasher hasher(
            PasswordHasherOptions{Argon2Params{1024, 1, 1}, 1, 0, std::chrono::seconds(10)});
        CHECK_NOTHROW(hasher.refuse_if_full());
        {
            auto held = hasher.acquire();
            try {
                hasher.refuse_if_full();
                FAIL("a full gate was not refused");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::RateLimited);
                CHECK(e.retry_after() == 1);
            }
        }
        CHECK_NOTHROW(hasher.refuse_if_full());
        // With room to wait, a held slot is not a full gate.
        PasswordHasher queued(
            PasswordHasherOptions{Argon2Params{1024, 1, 1}, 1, 1, std::chrono::seconds(10)});
        auto held = queued.acquire();
        CHECK_NOTHROW(queued.refuse_if_full());
    }

    TEST_CASE("password::normalize_password applies NFC and refuses invalid UTF-8") {
        // "é" decomposed (e + U+0301) and precomposed (U+00E9) are one password.
        CHECK(normalize_password("caf\x65\xcc\x81").value() == "caf\xc3\xa9");
        CHECK(normalize_password("caf\xc3\xa9").value() == "caf\xc3\xa9");
        CHECK(normalize_password("plain ascii").value() == "plain ascii");
        CHECK_FALSE(normalize_password("bad \xff byte").has_value());
        CHECK_FALSE(normalize_password("\xc3").has_value());
    }
}

namespace {

// Threads of this process whose nice value is `nice` (/proc/self/task/*/stat, field 19).
int threads_with_nice(int nice) {
    int count = 0;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream in(task.path() / "stat");
        std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream fields(stat.substr(close + 2));
        std::string field;
        for (int i = 3; i <= 19 && (fields >> field); ++i) {
            if (i == 19 && std::stoi(field) == nice) ++count;
        }
    }
    return count;
}

}  // namespace

TEST_SUITE("crypto::password_pool") {
    TEST_CASE("password::hash runs on the hasher's own lower-priority threads, not the caller's") {
        const int niced_before = threads_with_nice(PasswordHasher::kHashNice);
        PasswordHasher hasher({Argon2Params{1024, 1, 1}, 2, 8, std::chrono::milliseconds(2000)});
        for (int i = 0; i < 100 && threads_with_nice(PasswordHasher::kHashNice) < niced_before + 2;
             ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        CHECK(threads_with_nice(PasswordHasher::kHashNice) == niced_before + 2);
        const int before = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
        const auto phc = hasher.hash("a password of the caller");
        CHECK(hasher.verify(phc, "a password of the caller"));
        CHECK_FALSE(hasher.verify(phc, "another password entirely"));
        // The caller's own priority is untouched: only the pool's threads are niced.
        CHECK(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())) == before);
        CHECK(PasswordHasher::kHashNice > 0);
    }
}
