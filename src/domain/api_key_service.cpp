#include "domain/api_key_service.h"

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace contactd::domain {
namespace {

std::string hash_key(const std::string& key) {
    return crypto::to_hex(crypto::sha256(key));
}

}  // namespace

ApiKeyService::ApiKeyService(storage::Store& store, const Clock& clock,
                             const SecurityEvents& events)
    : store_(store), clock_(clock), events_(events) {}

std::optional<ApiKeyType> ApiKeyService::parse_type(const std::string& text) {
    if (text == "public") return ApiKeyType::Public;
    if (text == "secret") return ApiKeyType::Secret;
    return std::nullopt;
}

CreatedApiKey ApiKeyService::create(ApiKeyType type, const std::string& name,
                                    const ClientInfo& client) {
    const bool is_public = type == ApiKeyType::Public;
    CreatedApiKey created;
    created.key = (is_public ? "pk_" : "sk_") + crypto::random_token(32);
    auto& r = created.record;
    r.id = crypto::uuid_v7();
    r.name = name.empty() ? (is_public ? "public" : "secret") : name;
    r.key_type = is_public ? "public" : "secret";
    r.key_hash = hash_key(created.key);
    r.prefix = created.key.substr(0, 10);
    r.created_at = clock_.now();
    store_.write([&](storage::Repositories& repos) {
        repos.api_keys().insert(r);
        events_.record(repos, security_event::kApiKeyCreated, std::nullopt, client,
                       {{"key_id", r.id}, {"type", r.key_type}});
    });
    return created;
}

std::vector<storage::ApiKeyRecord> ApiKeyService::list() {
    return store_.read([](storage::Repositories& repos) { return repos.api_keys().list(); });
}

bool ApiKeyService::revoke(const std::string& id, const ClientInfo& client) {
    const bool revoked = store_.write([&](storage::Repositories& repos) {
        const auto now = clock_.now();
        const bool revoked = repos.api_keys().revoke(id, now);
        if (revoked) {
            const int sessions = repos.sessions().revoke_all_for_api_key(id, now);
            events_.record(repos, security_event::kApiKeyRevoked, std::nullopt, client,
                           {{"key_id", id}, {"sessions_revoked", sessions}});
        }
        return revoked;
    });
    if (revoked) forget_cached();  // after the commit: a read from now on sees it revoked
    return revoked;
}

std::optional<storage::ApiKeyRecord> ApiKeyService::find(const std::string& key) {
    if (key.empty() || key.size() > 128) return std::nullopt;
    const auto hash = hash_key(key);
    if (ephemeral_ && crypto::constant_time_equals(hash, ephemeral_->key_hash)) return ephemeral_;
    recheck_generation();
    {
        std::shared_lock lock(cache_mutex_);
        if (const auto it = cached_.find(hash); it != cached_.end()) return it->second;
    }
    const auto epoch = epoch_.load();
    std::int64_t generation = 0;
    auto record = store_.read([&](storage::Repositories& repos) {
        generation = repos.api_keys().generation();
        return repos.api_keys().find_by_hash(hash);
    });
    if (!record || record->revoked_at) return std::nullopt;
    std::unique_lock lock(cache_mutex_);
    // Kept only if read under the generation the cache holds: a key revoked in between
    // is not brought back.
    if (generation == generation_ && epoch == epoch_.load()) {
        if (cached_.size() >= kMaxCached) cached_.clear();
        cached_.emplace(hash, *record);
    }
    return record;
}

void ApiKeyService::recheck_generation() {
    const auto now = std::chrono::steady_clock::now();
    {
        std::shared_lock lock(cache_mutex_);
        if (generation_ >= 0 && now - checked_at_ < kCacheRecheck) return;
    }
    const auto epoch = epoch_.load();
    const auto generation =
        store_.read([](storage::Repositories& repos) { return repos.api_keys().generation(); });
    std::unique_lock lock(cache_mutex_);
    if (epoch != epoch_.load()) return;  // a revoke came in between: that read may be stale
    if (generation != generation_) cached_.clear();
    generation_ = generation;
    checked_at_ = now;
}

void ApiKeyService::forget_cached() {
    std::unique_lock lock(cache_mutex_);
    ++epoch_;  // reads begun before this are not cached
    cached_.clear();
    generation_ = -1;  // reread before anything is cached again
}

void ApiKeyService::add_ephemeral_public_key(const std::string& key) {
    storage::ApiKeyRecord r;
    r.id = "portal";
    r.name = "portal (this run only)";
    r.key_type = "public";
    r.key_hash = hash_key(key);
    r.prefix = key.substr(0, 10);
    r.created_at = clock_.now();
    ephemeral_ = r;
}

}  // namespace contactd::domain
