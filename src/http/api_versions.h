#pragma once
// The versioned APIs and the versions each serves: one table for the whole router.
//
// Every route of a versioned API registers once, through HttpServer::add, under any of
// its versions ("/self-service/v1/contacts/register", or the template form
// "/self-service/{version}/contacts/register"): route_template() turns it into the
// template form and route_regex() into the one expression the router matches, whose
// version segment is a non-capturing group, "/self-service/(?:v1|v2)/contacts/register",
// so req.matches stay the route's own captures. A route outside these APIs (the portal,
// /healthz) is left as it is; metrics and logs label a route by its template
// (http/http_metrics.h). Pure functions, thread-safe.
#include <array>
#include <string>
#include <string_view>

namespace contactd::http {

struct VersionedApi {
    std::string_view root;  // "/self-service": the path segment before the version
    std::array<std::string_view, 2> versions;
};

// The Self-Service and Back-Office APIs, each at v1 (contactd's own) and v2 (CRM.COM v2
// clients' paths), with the same behaviour (API.md, "Existing CRM.COM apps").
inline constexpr std::array<VersionedApi, 2> kVersionedApis = {{
    {"/self-service", {"v1", "v2"}},
    {"/backoffice", {"v1", "v2"}},
}};

// The placeholder for the version segment in a route template.
inline constexpr std::string_view kVersionPlaceholder = "{version}";

// "/self-service/v1/x", "/self-service/v2/x" and "/self-service/{version}/x" all give
// "/self-service/{version}/x"; any other pattern comes back unchanged.
std::string route_template(const std::string& pattern);
// The regular expression a route template is registered as: its placeholder becomes the
// non-capturing group of its API's versions, "(?:v1|v2)".
std::string route_regex(const std::string& route_template);

// The version segment of a path under a versioned API ("v1", "v2"), or empty.
std::string_view api_version(std::string_view path);
// True for a path under /self-service/v2: an answer in the v2 form (http/v2_answers.h).
bool is_self_service_v2(std::string_view path);
// True for any path of the Self-Service API, whatever its version.
bool is_self_service(std::string_view path);

}  // namespace contactd::http
