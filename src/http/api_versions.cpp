#include "http/api_versions.h"

namespace contactd::http {
namespace {

// The API `path` starts under, and where its version segment begins; nullptr if none.
const VersionedApi* api_of(std::string_view path, std::size_t& version_at) {
    for (const auto& api : kVersionedApis) {
        if (path.size() > api.root.size() && path.substr(0, api.root.size()) == api.root &&
            path[api.root.size()] == '/') {
            version_at = api.root.size() + 1;
            return &api;
        }
    }
    return nullptr;
}

// The length of the version segment at `at` if it is one of `api`'s versions or the
// placeholder; 0 otherwise.
std::size_t version_length(const VersionedApi& api, std::string_view path, std::size_t at) {
    const auto rest = path.substr(at);
    const auto end = rest.find('/');
    const auto segment = rest.substr(0, end);
    if (segment == kVersionPlaceholder) return segment.size();
    for (const auto version : api.versions) {
        if (segment == version) return segment.size();
    }
    return 0;
}

}  // namespace

std::string route_template(const std::string& pattern) {
    std::size_t at = 0;
    const auto* api = api_of(pattern, at);
    if (!api) return pattern;
    const auto length = version_length(*api, pattern, at);
    if (length == 0) return pattern;
    return pattern.substr(0, at) + std::string(kVersionPlaceholder) + pattern.substr(at + length);
}

std::string route_regex(const std::string& route_template) {
    std::size_t at = 0;
    const auto* api = api_of(route_template, at);
    if (!api || route_template.compare(at, kVersionPlaceholder.size(), kVersionPlaceholder) != 0)
        return route_template;
    std::string group = "(?:";
    for (std::size_t i = 0; i < api->versions.size(); ++i) {
        if (i > 0) group += '|';
        group += api->versions[i];
    }
    group += ')';
    return route_template.substr(0, at) + group +
           route_template.substr(at + kVersionPlaceholder.size());
}

std::string_view api_version(std::string_view path) {
    std::size_t at = 0;
    const auto* api = api_of(path, at);
    if (!api) return {};
    const auto rest = path.substr(at);
    const auto segment = rest.substr(0, rest.find('/'));
    for (const auto version : api->versions) {
        if (segment == version) return version;
    }
    return {};
}

bool is_self_service(std::string_view path) {
    std::size_t at = 0;
    const auto* api = api_of(path, at);
    return api && api->root == "/self-service";
}

bool is_self_service_v2(std::string_view path) {
    return is_self_service(path) && api_version(path) == "v2";
}

}  // namespace contactd::http
