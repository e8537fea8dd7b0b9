#include "crypto/digest.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdexcept>

namespace contactd::crypto {
namespace {

constexpr std::size_t kDigestLength = 32;

// OpenSSL 3 looks an algorithm up by name, under a shared lock, whenever it is given
// one it has not fetched (EVP_sha256(), HMAC()): every request hashes its API key and
// checks or signs a token, so the lookups are made once, and each thread keeps its
// contexts; a context is set up again for each use, which costs no lookup.
const EVP_MD* sha256_md() {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!md) throw std::runtime_error("SHA-256 is not available");
    return md;
}

struct ThreadContexts {
    EVP_MD_CTX* digest = EVP_MD_CTX_new();
    EVP_MAC_CTX* mac = nullptr;
    ThreadContexts() {
        static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        if (hmac) mac = EVP_MAC_CTX_new(hmac);
        char name[] = "SHA256";
        const OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name, 0),
            OSSL_PARAM_construct_end()};
        if (!digest || !mac || EVP_MAC_CTX_set_params(mac, params) != 1) {
            EVP_MAC_CTX_free(mac);  // both accept null
            EVP_MD_CTX_free(digest);
            throw std::runtime_error("SHA-256 or HMAC-SHA-256 is not available");
        }
    }
    ~ThreadContexts() {
        EVP_MAC_CTX_free(mac);
        EVP_MD_CTX_free(digest);
    }
    ThreadContexts(const ThreadContexts&) = delete;
    ThreadContexts& operator=(const ThreadContexts&) = delete;
};

ThreadContexts& contexts() {
    thread_local ThreadContexts kept;
    return kept;
}

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string sha256(std::string_view data) {
    std::string out(kDigestLength, '\0');
    EVP_MD_CTX* ctx = contexts().digest;
    unsigned int length = 0;
    if (EVP_DigestInit_ex2(ctx, sha256_md(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()), &length) != 1 ||
        length != kDigestLength) {
        throw std::runtime_error("SHA-256 failed");
    }
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    std::string out(kDigestLength, '\0');
    EVP_MAC_CTX* ctx = contexts().mac;
    std::size_t length = 0;
    // A key of 0 bytes is still a key: EVP_MAC_init takes a null one as "the last key".
    static const unsigned char kNoKey = 0;
    const unsigned char* key_bytes = key.empty() ? &kNoKey : bytes(key);
    if (EVP_MAC_init(ctx, key_bytes, key.size(), nullptr) != 1 ||
        EVP_MAC_update(ctx, bytes(data), data.size()) != 1 ||
        EVP_MAC_final(ctx, reinterpret_cast<unsigned char*>(out.data()), &length, out.size()) !=
            1 ||
        length != kDigestLength) {
        throw std::runtime_error("HMAC-SHA-256 failed");
    }
    return out;
}

bool constant_time_equals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace contactd::crypto
