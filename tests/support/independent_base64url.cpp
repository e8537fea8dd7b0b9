#include "support/independent_base64url.h"

#include <openssl/evp.h>

namespace contactd::test {

std::string b64url(const std::string& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (auto& c : out) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return out;
}

std::string b64url_decode(std::string text) {
    for (auto& c : text) {
        if (c == '-') c = '+';
        if (c == '_') c = '/';
    }
    std::size_t pad = 0;
    while (text.size() % 4 != 0) {
        text.push_back('=');
        ++pad;
    }
    std::string out(text.size(), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) return {};
    // EVP_DecodeBlock counts padding bytes as zeros: drop them.
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

}  // namespace contactd::test
