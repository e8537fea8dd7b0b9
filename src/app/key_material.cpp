#include "app/key_material.h"

#include <stdexcept>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace contactd {

KeyMaterial load_key_material(storage::Store& store, const Config& config) {
    std::string jwt_key;
    if (config.jwt_secret) {
        jwt_key = *config.jwt_secret;
    } else {
        const auto encoded = store.write([](storage::Repositories& repos) {
            if (auto existing = repos.settings().get("jwt_secret")) return *existing;
            auto fresh = crypto::base64url_encode(crypto::random_bytes(32));
            repos.settings().put("jwt_secret", fresh);
            return fresh;
        });
        const auto decoded = crypto::base64url_decode(encoded);
        if (!decoded || decoded->size() < 32)
            throw std::runtime_error("the stored jwt_secret is damaged");
        jwt_key = *decoded;
    }
    return KeyMaterial{jwt_key, crypto::hmac_sha256(jwt_key, "contactd one-time codes v1")};
}

}  // namespace contactd
