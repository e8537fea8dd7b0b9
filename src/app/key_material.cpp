#include "app/key_material.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "crypto/random.h"
#include "util/log.h"
#include "util/strict_json.h"

namespace contactd {
namespace {

using nlohmann::json;

constexpr const char* kFirstKeySetting = "jwt_secret";      // the first key; code-key root
constexpr const char* kRingSetting = "jwt_keys";            // the database key ring
constexpr const char* kWrappedCodeKey = "otp_key_wrapped";  // with CONTACTD_JWT_SECRET

// The derivation used since the first release: codes issued before an upgrade still
// validate after it.
std::string derive_code_key(const std::string& root) {
    return crypto::hmac_sha256(root, "contactd one-time codes v1");
}

std::string decode_key(const std::string& encoded, const char* what) {
    const auto decoded = crypto::base64url_decode(encoded);
    if (!decoded || decoded->size() < 32)
        throw std::runtime_error(std::string("the stored ") + what + " is damaged");
    return *decoded;
}

// --- the code key wrapped under a configured secret ---------------------------------
// nonce (16) | key XOR HMAC(secret, wrap label | nonce) (32) | HMAC(secret, tag label |
// nonce | ciphertext) (32): encrypt-then-MAC with HMAC-SHA-256 as the PRF, the two uses
// kept apart by their labels.

std::string pad_for(const std::string& secret, const std::string& nonce) {
    return crypto::hmac_sha256(secret, "contactd code key wrap v1|" + nonce);
}
std::string tag_for(const std::string& secret, const std::string& nonce_and_ciphertext) {
    return crypto::hmac_sha256(secret, "contactd code key tag v1|" + nonce_and_ciphertext);
}

std::string wrap_code_key(const std::string& secret, const std::string& code_key) {
    const std::string nonce = crypto::random_bytes(16);
    const std::string pad = pad_for(secret, nonce);
    std::string sealed = nonce;
    for (std::size_t i = 0; i < code_key.size(); ++i)
        sealed.push_back(static_cast<char>(code_key[i] ^ pad[i]));
    return crypto::base64url_encode(sealed + tag_for(secret, sealed));
}

std::optional<std::string> unwrap_code_key(const std::string& secret, const std::string& text) {
    const auto bytes = crypto::base64url_decode(text);
    if (!bytes || bytes->size() != 16 + 32 + 32) return std::nullopt;
    const std::string sealed = bytes->substr(0, 48);
    if (!crypto::constant_time_equals(tag_for(secret, sealed), bytes->substr(48)))
        return std::nullopt;
    const std::string pad = pad_for(secret, sealed.substr(0, 16));
    std::string key;
    for (std::size_t i = 0; i < 32; ++i) key.push_back(static_cast<char>(sealed[16 + i] ^ pad[i]));
    return key;
}

std::string configured_code_key(storage::Repositories& repos, const Config& config) {
    const std::string& secret = *config.jwt_secret;
    const auto stored = repos.settings().get(kWrappedCodeKey);
    if (!stored) {
        // First start with a configured secret (or the first since this key was kept
        // apart): the code key is the one derived from the secret, as before.
        const auto key = derive_code_key(secret);
        repos.settings().put(kWrappedCodeKey, wrap_code_key(secret, key));
        return key;
    }
    if (auto key = unwrap_code_key(secret, *stored)) return *key;
    for (const auto& previous : config.jwt_previous_secrets) {
        if (auto key = unwrap_code_key(previous, *stored)) {
            // Rotated: wrap it under the new secret, so that the old one may be dropped.
            repos.settings().put(kWrappedCodeKey, wrap_code_key(secret, *key));
            return *key;
        }
    }
    log::warn(
        "the one-time-code key was kept under a CONTACTD_JWT_SECRET that is neither the "
        "current one nor in CONTACTD_JWT_PREVIOUS_SECRETS: codes issued before this start will "
        "not validate");
    const auto key = crypto::random_bytes(32);
    repos.settings().put(kWrappedCodeKey, wrap_code_key(secret, key));
    return key;
}

// --- the database key ring ------------------------------------------------------------

struct RingKey {
    std::string key;  // raw bytes
    std::int64_t created_at = 0;
    std::optional<std::int64_t> retired_at;  // absent for the signing key
};

std::string first_key(storage::Repositories& repos) {
    if (auto existing = repos.settings().get(kFirstKeySetting))
        return decode_key(*existing, kFirstKeySetting);
    auto fresh = crypto::random_bytes(32);
    repos.settings().put(kFirstKeySetting, crypto::base64url_encode(fresh));
    return fresh;
}

// The ring, oldest first, the signing key last. Before any rotation it is the first key.
std::vector<RingKey> read_ring(storage::Repositories& repos) {
    const auto first = first_key(repos);
    const auto stored = repos.settings().get(kRingSetting);
    if (!stored) return {RingKey{first, 0, std::nullopt}};
    const auto parsed = parse_strict_json(*stored);
    if (!parsed || !parsed->is_array() || parsed->empty())
        throw std::runtime_error("the stored jwt_keys is damaged");
    std::vector<RingKey> ring;
    for (const auto& item : *parsed) {
        if (!item.is_object() || !item.contains("key") || !item["key"].is_string() ||
            !item.contains("created_at") || !item["created_at"].is_number_integer())
            throw std::runtime_error("the stored jwt_keys is damaged");
        RingKey k{decode_key(item["key"], kRingSetting), item["created_at"], std::nullopt};
        if (item.contains("retired_at")) {
            if (!item["retired_at"].is_number_integer())
                throw std::runtime_error("the stored jwt_keys is damaged");
            k.retired_at = item["retired_at"].get<std::int64_t>();
        }
        ring.push_back(std::move(k));
    }
    if (ring.back().retired_at) throw std::runtime_error("the stored jwt_keys has no signing key");
    return ring;
}

void write_ring(storage::Repositories& repos, const std::vector<RingKey>& ring) {
    json out = json::array();
    for (const auto& k : ring) {
        json item = {{"key", crypto::base64url_encode(k.key)}, {"created_at", k.created_at}};
        if (k.retired_at) item["retired_at"] = *k.retired_at;
        out.push_back(std::move(item));
    }
    repos.settings().put(kRingSetting, out.dump());
}

bool still_verifies(const RingKey& k, std::int64_t now) {
    return !k.retired_at || now < *k.retired_at + kRetiredKeyLifetime;
}

}  // namespace

KeyMaterial load_key_material(storage::Store& store, const Config& config, std::int64_t now) {
    return store.write([&](storage::Repositories& repos) {
        KeyMaterial keys;
        if (config.jwt_secret) {
            keys.jwt_key = *config.jwt_secret;
            keys.otp_key = configured_code_key(repos, config);
        } else {
            const auto ring = read_ring(repos);
            keys.jwt_key = ring.back().key;
            for (auto it = ring.rbegin() + 1; it != ring.rend(); ++it) {
                if (still_verifies(*it, now)) keys.jwt_previous_keys.push_back(it->key);
            }
            keys.otp_key = derive_code_key(first_key(repos));
        }
        for (const auto& previous : config.jwt_previous_secrets)
            keys.jwt_previous_keys.push_back(previous);
        return keys;
    });
}

KeyRotation rotate_signing_key(storage::Store& store, const Config& config, std::int64_t now,
                               const domain::SecurityEvents& events) {
    if (config.jwt_secret) {
        throw std::runtime_error(
            "CONTACTD_JWT_SECRET is set, so the signing keys are the configuration's: rotate by "
            "moving it into CONTACTD_JWT_PREVIOUS_SECRETS and setting a new CONTACTD_JWT_SECRET");
    }
    return store.write([&](storage::Repositories& repos) {
        auto ring = read_ring(repos);
        ring.back().retired_at = now;
        KeyRotation rotation;
        std::vector<RingKey> kept;
        for (auto& k : ring) {
            if (still_verifies(k, now)) {
                rotation.verifying_kids.insert(rotation.verifying_kids.begin(),
                                               crypto::JwtCodec::kid_of(k.key));
                kept.push_back(std::move(k));
            } else {
                rotation.dropped_kids.push_back(crypto::JwtCodec::kid_of(k.key));
            }
        }
        RingKey fresh{crypto::random_bytes(32), now, std::nullopt};
        rotation.signing_kid = crypto::JwtCodec::kid_of(fresh.key);
        kept.push_back(std::move(fresh));
        write_ring(repos, kept);
        // Kids name keys without revealing them; the event commits with the new ring.
        events.record(
            repos, domain::security_event::kSigningKeyRotated, std::nullopt, {},
            {{"kid", rotation.signing_kid}, {"dropped_kids", rotation.dropped_kids.size()}});
        return rotation;
    });
}

}  // namespace contactd
