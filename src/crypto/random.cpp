#include "crypto/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <pthread.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "crypto/encoding.h"

namespace contactd::crypto {

namespace {

// OpenSSL's RAND_bytes costs a lock, a getpid() system call (fork detection) and a DRBG call
// however few bytes it returns; ids, tokens and codes take 16-32 bytes each, several per
// request. So small requests are served from a per-thread block drawn from it at once;
// each byte is handed out once and wiped from the block as it leaves. A forked child (the
// tests fork) throws its copy away, so parent and child never share bytes.
constexpr std::size_t kBlock = 512;
constexpr std::size_t kLargest = 64;

void fill(unsigned char* out, std::size_t count) {
    if (RAND_bytes(out, static_cast<int>(count)) != 1)
        throw std::runtime_error("RAND_bytes failed");
}

std::atomic<unsigned> forks{0};
const bool fork_handler_installed = [] {
    return pthread_atfork(nullptr, nullptr, [] { forks.fetch_add(1); }) == 0;
}();

struct RandomBlock {
    std::array<unsigned char, kBlock> bytes{};
    std::size_t used = kBlock;
    unsigned drawn_in = 0;

    void take(unsigned char* out, std::size_t count) {
        const unsigned now_in = forks.load(std::memory_order_relaxed);
        if (kBlock - used < count || drawn_in != now_in) {
            if (!fork_handler_installed) throw std::runtime_error("pthread_atfork failed");
            drawn_in = now_in;
            fill(bytes.data(), kBlock);
            used = 0;
        }
        std::memcpy(out, bytes.data() + used, count);
        OPENSSL_cleanse(bytes.data() + used, count);
        used += count;
    }
    ~RandomBlock() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

}  // namespace

std::string random_bytes(std::size_t count) {
    std::string out(count, '\0');
    auto* data = reinterpret_cast<unsigned char*>(out.data());
    if (count > kLargest) {
        fill(data, count);
    } else if (count > 0) {
        thread_local RandomBlock block;
        block.take(data, count);
    }
    return out;
}

std::string random_token(std::size_t bytes) {
    return base64url_encode(random_bytes(bytes));
}

std::string random_digits(std::size_t digits) {
    std::string out;
    out.reserve(digits);
    while (out.size() < digits) {
        for (unsigned char byte : random_bytes(digits)) {
            if (byte >= 250) continue;  // 250 = 25 * 10: keeps every digit equally likely
            out.push_back(static_cast<char>('0' + byte % 10));
            if (out.size() == digits) break;
        }
    }
    return out;
}

std::string uuid_v7() {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    const auto ms = static_cast<std::uint64_t>(ns / 1'000'000);
    const auto sub_ms = static_cast<std::uint64_t>(ns % 1'000'000) * 4096 / 1'000'000;
    std::string b = random_bytes(16);
    for (int i = 0; i < 6; ++i) b[i] = static_cast<char>(ms >> (40 - 8 * i));
    b[6] = static_cast<char>(0x70 | (sub_ms >> 8));
    b[7] = static_cast<char>(sub_ms & 0xFF);
    b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
    const std::string hex = to_hex(b);
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace contactd::crypto
