// app::key_material against a real SqliteStore: the configured and the database key
// rings, rotation keeping old keys verifying until they age out, and a one-time-code key
// that no rotation changes (and that a copy of the database alone does not reveal when
// the secret is configured).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "app/key_material.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "domain/security_events.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/test_server.h"
#include "util/clock.h"

using namespace contactd;

namespace {

constexpr std::int64_t kNow = 1'700'000'000;

struct KeyFixture {
    test::TempDir dir;
    storage::sqlite::SqliteStore store{(dir.path() / "keys.db").string()};
    ManualClock clock{kNow};
    domain::SecurityEvents events{store, clock};

    KeyMaterial load(const Config& config, std::int64_t now = kNow) {
        return load_key_material(store, config, now);
    }
    std::optional<std::string> setting(const std::string& key) {
        return store.read([&](storage::Repositories& repos) { return repos.settings().get(key); });
    }
    std::vector<std::string> setting_names_holding(const std::string& bytes) {
        std::vector<std::string> out;
        for (const char* name : {"jwt_secret", "jwt_keys", "otp_key_wrapped"}) {
            const auto v = setting(name);
            if (v && v->find(bytes) != std::string::npos) out.emplace_back(name);
        }
        return out;
    }
};

Config configured(const std::string& secret, std::vector<std::string> previous = {}) {
    Config c;
    c.jwt_secret = secret;
    c.jwt_previous_secrets = std::move(previous);
    return c;
}

std::string kid(const std::string& key) {
    return crypto::JwtCodec::kid_of(key);
}

const std::string kA(32, 'a'), kB(33, 'b'), kC(34, 'c');

}  // namespace

TEST_SUITE("app::key_material") {
    TEST_CASE("key_material: database keys are made once and kept") {
        KeyFixture f;
        const auto first = f.load(Config{});
        CHECK(first.jwt_key.size() == 32);
        CHECK(first.jwt_previous_keys.empty());
        CHECK(first.otp_key.size() == 32);
        CHECK(first.otp_key != first.jwt_key);
        const auto again = f.load(Config{});
        CHECK(again.jwt_key == first.jwt_key);
        CHECK(again.otp_key == first.otp_key);
        // The code key is the one every earlier release derived from the stored key.
        CHECK(first.otp_key == crypto::hmac_sha256(first.jwt_key, "contactd one-time codes v1"));
    }

    TEST_CASE(
        "key_material: rotate makes a new signing key, the old one still verifies, the code key "
        "stays") {
        KeyFixture f;
        const auto before = f.load(Config{});
        const auto rotation = rotate_signing_key(f.store, Config{}, kNow + 100, f.events);
        const auto after = f.load(Config{}, kNow + 200);
        CHECK(after.jwt_key != before.jwt_key);
        CHECK(rotation.signing_kid == kid(after.jwt_key));
        CHECK(rotation.verifying_kids == std::vector<std::string>{kid(before.jwt_key)});
        CHECK(rotation.dropped_kids.empty());
        CHECK(after.jwt_previous_keys == std::vector<std::string>{before.jwt_key});
        CHECK(after.otp_key == before.otp_key);
        // The rotation is a security event, naming the new kid and never a key.
        const auto rotated = f.store.read([](storage::Repositories& repos) {
            return repos.security_events().list({std::nullopt, "SIGNING_KEY_ROTATED"}, 0, 10);
        });
        REQUIRE(rotated.size() == 1);
        CHECK(rotated[0].detail.find(rotation.signing_kid) != std::string::npos);
        CHECK(rotated[0].detail.find(crypto::to_hex(after.jwt_key)) == std::string::npos);

        // A second rotation: newest previous key first.
        const auto second = rotate_signing_key(f.store, Config{}, kNow + 300, f.events);
        const auto later = f.load(Config{}, kNow + 400);
        CHECK(second.verifying_kids ==
              std::vector<std::string>{kid(after.jwt_key), kid(before.jwt_key)});
        CHECK(later.jwt_previous_keys == std::vector<std::string>{after.jwt_key, before.jwt_key});
        CHECK(later.otp_key == before.otp_key);
    }

    TEST_CASE("key_material: a retired database key verifies until the longest access TTL passes") {
        KeyFixture f;
        const auto before = f.load(Config{});
        REQUIRE(kRetiredKeyLifetime > 24 * 3600);  // CONTACTD_ACCESS_TTL's upper bound
        rotate_signing_key(f.store, Config{}, kNow, f.events);
        CHECK(f.load(Config{}, kNow + kRetiredKeyLifetime - 1).jwt_previous_keys.size() == 1);
        CHECK(f.load(Config{}, kNow + kRetiredKeyLifetime).jwt_previous_keys.empty());
        // The next rotation drops it from the ring; the code key still holds.
        const auto rotation =
            rotate_signing_key(f.store, Config{}, kNow + kRetiredKeyLifetime, f.events);
        CHECK(rotation.dropped_kids == std::vector<std::string>{kid(before.jwt_key)});
        CHECK(rotation.verifying_kids.size() == 1);
        const auto now = f.load(Config{}, kNow + kRetiredKeyLifetime);
        CHECK(now.jwt_previous_keys.size() == 1);
        CHECK(std::find(now.jwt_previous_keys.begin(), now.jwt_previous_keys.end(),
                        before.jwt_key) == now.jwt_previous_keys.end());
        CHECK(now.otp_key == before.otp_key);
    }

    TEST_CASE("key_material: rotate refuses when CONTACTD_JWT_SECRET is set") {
        KeyFixture f;
        try {
            rotate_signing_key(f.store, configured(kA), kNow, f.events);
            FAIL("rotate_signing_key accepted a configured secret");
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()).find("CONTACTD_JWT_SECRET") != std::string::npos);
        }
    }

    TEST_CASE("key_material: configured secrets sign and verify, previous ones only verify") {
        KeyFixture f;
        const auto keys = f.load(configured(kB, {kA}));
        CHECK(keys.jwt_key == kB);
        CHECK(keys.jwt_previous_keys == std::vector<std::string>{kA});
        // Previous secrets verify beside database keys too.
        Config db_keys;
        db_keys.jwt_previous_secrets = {kA};
        const auto mixed = f.load(db_keys);
        CHECK(mixed.jwt_key != kA);
        CHECK(mixed.jwt_previous_keys == std::vector<std::string>{kA});
    }

    TEST_CASE(
        "key_material: with a configured secret, the code key survives rotations and the "
        "dropping of old secrets, and is kept wrapped") {
        KeyFixture f;
        const auto first = f.load(configured(kA));
        // As before rotation existed: derived from the secret, so codes survive the upgrade.
        CHECK(first.otp_key == crypto::hmac_sha256(kA, "contactd one-time codes v1"));
        CHECK(f.load(configured(kA)).otp_key == first.otp_key);
        // Rotate A -> B (A kept as previous), then B -> C with A dropped.
        CHECK(f.load(configured(kB, {kA})).otp_key == first.otp_key);
        CHECK(f.load(configured(kC, {kB})).otp_key == first.otp_key);
        CHECK(f.load(configured(kC)).otp_key == first.otp_key);
        // The database holds neither the code key nor the secrets, in any readable form.
        const auto wrapped = f.setting("otp_key_wrapped");
        REQUIRE(wrapped.has_value());
        for (const auto& secret : {first.otp_key, kA, kB, kC}) {
            CHECK(f.setting_names_holding(secret).empty());
            CHECK(f.setting_names_holding(crypto::base64url_encode(secret)).empty());
            CHECK(f.setting_names_holding(crypto::to_hex(secret)).empty());
        }
        CHECK_FALSE(f.setting("jwt_secret").has_value());
    }

    TEST_CASE(
        "key_material: a secret replaced without keeping the old one gives a new code key, and "
        "starts") {
        KeyFixture f;
        const auto first = f.load(configured(kA));
        const auto replaced = f.load(configured(kB));
        CHECK(replaced.otp_key != first.otp_key);
        CHECK(replaced.otp_key.size() == 32);
        CHECK(f.load(configured(kB)).otp_key == replaced.otp_key);  // and it is kept
    }

    TEST_CASE("key_material: damaged stored keys stop the start") {
        KeyFixture f;
        f.load(Config{});
        for (const std::string& ring :
             {std::string("not json"), std::string("[]"), std::string(R"([{"key":"abc"}])"),
              std::string(R"([{"key":"YWJj","created_at":1}])"),
              std::string(R"([{"key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","created_at":1,)"
                          R"("retired_at":2}])")}) {
            CAPTURE(ring);
            f.store.write(
                [&](storage::Repositories& repos) { repos.settings().put("jwt_keys", ring); });
            CHECK_THROWS_AS(f.load(Config{}), std::runtime_error);
        }
    }
}
