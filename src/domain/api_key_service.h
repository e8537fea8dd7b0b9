#pragma once
// API keys: "pk_…" (public, identifies an app) and "sk_…" (secret, for servers). A key
// is 256 random bits; only its SHA-256 is stored (a fast hash suffices for a random
// secret of that size). Thread-safe.
//
// Live keys are answered from memory: every request presents one, and reading it from the
// database cost a transaction of its own. Each insert and revoke changes the keys'
// generation (storage) in its transaction. revoke() in this process empties the cache at
// once; a process that did not revoke it (the server, when `contactd apikey revoke` ran)
// rereads the generation at most kCacheRecheck after its last look and empties the cache
// when it changed. The command waits that long before it answers (app/cli), so once it
// has answered, no running server accepts the key.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/security_events.h"
#include "storage/store.h"
#include "util/clock.h"

namespace contactd::domain {

enum class ApiKeyType { Public, Secret };

struct CreatedApiKey {
    storage::ApiKeyRecord record;
    std::string key;  // shown once, never stored
};

class ApiKeyService {
  public:
    // Creating and revoking a key records APIKEY_CREATED / APIKEY_REVOKED (with the key's
    // id and type, never the key) in the same transaction.
    ApiKeyService(storage::Store& store, const Clock& clock, const SecurityEvents& events);

    CreatedApiKey create(ApiKeyType type, const std::string& name, const ClientInfo& client = {});
    std::vector<storage::ApiKeyRecord> list();
    // False when no live key has that id. Revoking a key also revokes every session signed
    // in through it (their access and refresh tokens stop at once), in the same
    // transaction; the event's detail counts them.
    bool revoke(const std::string& id, const ClientInfo& client = {});

    // The live key matching `key`, or nullopt.
    std::optional<storage::ApiKeyRecord> find(const std::string& key);

    // Accepts `key` as a public key without storing it (the portal's per-run key).
    void add_ephemeral_public_key(const std::string& key);

    static std::optional<ApiKeyType> parse_type(const std::string& text);

    static constexpr std::chrono::milliseconds kCacheRecheck{100};
    static constexpr std::size_t kMaxCached = 1024;

  private:
    // Empties the cache if the generation changed; looks at most every kCacheRecheck.
    void recheck_generation();
    void forget_cached();

    storage::Store& store_;
    const Clock& clock_;
    const SecurityEvents& events_;
    std::optional<storage::ApiKeyRecord> ephemeral_;

    std::shared_mutex cache_mutex_;                                  // guards the members below
    std::unordered_map<std::string, storage::ApiKeyRecord> cached_;  // by key hash, live only
    std::int64_t generation_ = -1;         // of what cached_ holds; -1: not read yet
    std::atomic<std::uint64_t> epoch_{0};  // counts this process's revocations
    std::chrono::steady_clock::time_point checked_at_{};
};

}  // namespace contactd::domain
