#pragma once
// API keys: "pk_…" (public, identifies an app) and "sk_…" (secret, for servers). A key
// is 256 random bits; only its SHA-256 is stored (a fast hash suffices for a random
// secret of that size). Thread-safe.
#include <optional>
#include <string>
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

  private:
    storage::Store& store_;
    const Clock& clock_;
    const SecurityEvents& events_;
    std::optional<storage::ApiKeyRecord> ephemeral_;
};

}  // namespace contactd::domain
