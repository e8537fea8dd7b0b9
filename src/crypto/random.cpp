#include "crypto/random.h"

#include <openssl/rand.h>

#include <stdexcept>

#include "crypto/encoding.h"

namespace contactd::crypto {

std::string random_bytes(std::size_t count) {
    std::string out(count, '\0');
    if (count > 0 &&
        RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
        throw std::runtime_error("RAND_bytes failed");
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

std::string uuid_v4() {
    std::string b = random_bytes(16);
    b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
    const std::string hex = to_hex(b);
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
           hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace contactd::crypto
