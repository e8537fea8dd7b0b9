#include "domain/security_events.h"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "crypto/random.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::domain {
namespace {

constexpr std::array kTypes = {security_event::kSignInSucceeded,
                               security_event::kSignInFailed,
                               security_event::kCodeSent,
                               security_event::kCodeFailed,
                               security_event::kLockedOut,
                               security_event::kRefreshTokenReused,
                               security_event::kSessionRevoked,
                               security_event::kPasswordChanged,
                               security_event::kPasswordResetRequested,
                               security_event::kContactDeleted,
                               security_event::kSigningKeyRotated,
                               security_event::kApiKeyCreated,
                               security_event::kApiKeyRevoked};

// Detail keys that would name a secret. A guard against a careless caller, not a filter
// of values: the callers pass ids, counts, methods and reasons only.
bool names_a_secret(const std::string& key) {
    const auto k = to_lower(key);
    for (const char* word : {"password", "code", "token", "secret", "authorization", "api_key"}) {
        if (k.find(word) != std::string::npos) return true;
    }
    return false;
}

void check_detail(const nlohmann::json& detail) {
    if (!detail.is_object()) throw std::logic_error("a security event's detail is an object");
    for (const auto& [key, value] : detail.items()) {
        if (names_a_secret(key) || value.is_structured())
            throw std::logic_error("a security event's detail may not hold " + key);
    }
}

std::optional<std::string> bounded(const std::optional<std::string>& value, std::size_t max) {
    if (!value || value->empty()) return std::nullopt;
    return value->substr(0, max);
}

}  // namespace

bool security_event::is_known_type(const std::string& type) {
    return std::any_of(kTypes.begin(), kTypes.end(), [&](const char* t) { return type == t; });
}

SecurityEvents::SecurityEvents(storage::Store& store, const Clock& clock,
                               metrics::ServiceMetrics* metrics)
    : store_(store), clock_(clock), metrics_(metrics) {}

void SecurityEvents::record(storage::Repositories& repos, const char* type,
                            const std::optional<std::string>& contact_id, const ClientInfo& client,
                            const nlohmann::json& detail) const {
    if (!security_event::is_known_type(type))
        throw std::logic_error(std::string("unknown security event type ") + type);
    check_detail(detail);
    storage::SecurityEventRecord event;
    event.id = crypto::uuid_v7();
    event.type = type;
    event.contact_id = contact_id;
    event.ip_address = bounded(client.ip_address, 64);
    event.user_agent = bounded(client.user_agent, 512);
    event.request_id = bounded(client.request_id, 64);
    event.detail = detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    event.created_at = clock_.now();
    repos.security_events().insert(event);
    if (metrics_) count_sign_in(type, detail);
}

// Counted as the event is written: a transaction rolled back after it is counted all the
// same, which only a failing database causes (the failures' events commit on their own).
void SecurityEvents::count_sign_in(const std::string_view type,
                                   const nlohmann::json& detail) const {
    const auto method = [&](const char* fallback) {
        const auto it = detail.find("method");
        return it != detail.end() && it->is_string() ? it->get<std::string>()
                                                     : std::string(fallback);
    };
    if (type == security_event::kSignInSucceeded) {
        metrics_->sign_ins.inc({method("UNKNOWN"), "success"});
    } else if (type == security_event::kSignInFailed) {
        metrics_->sign_ins.inc({method("UNKNOWN"), "failure"});
    } else if (type == security_event::kCodeFailed) {
        metrics_->sign_ins.inc({"OTP", "failure"});
    }
}

Page<storage::SecurityEventRecord> SecurityEvents::list(const SecurityEventFilter& filter,
                                                        const PageRequest& page) const {
    page.validate();
    if (filter.type && !security_event::is_known_type(*filter.type))
        throw invalid_value("type is not a known security event type", {"type"});
    return store_.read([&](storage::Repositories& repos) {
        const storage::SecurityEventRepository::Filter f{filter.contact_id, filter.type};
        return Page<storage::SecurityEventRecord>{
            repos.security_events().list(f, page.offset(), page.limit()),
            repos.security_events().count(f), page};
    });
}

}  // namespace contactd::domain
