// The route table of versioned APIs: templates, the expressions routes register as, and
// the labels a request's route renders to.
#include <doctest/doctest.h>

#include <regex>

#include "http/api_versions.h"

using namespace contactd::http;

TEST_SUITE("unit::api_versions") {
    TEST_CASE("api versions: any version of a route, or its template, gives one template") {
        const std::string want = "/self-service/{version}/contacts/register";
        CHECK(route_template("/self-service/v1/contacts/register") == want);
        CHECK(route_template("/self-service/v2/contacts/register") == want);
        CHECK(route_template(want) == want);
        CHECK(route_template("/backoffice/v1/contacts") == "/backoffice/{version}/contacts");
        // Not a versioned API, or not one of its versions: unchanged.
        for (const std::string other :
             {"/healthz", "/", "/assets/([A-Za-z0-9._-]{1,64})", "/self-service/v3/contacts",
              "/self-servicex/v1/a", "/self-service", "/backoffice/v10/contacts"}) {
            CAPTURE(other);
            CHECK(route_template(other) == other);
        }
    }

    TEST_CASE("api versions: the registered expression serves v1 and v2 and keeps captures") {
        const auto regex =
            route_regex(route_template("/self-service/v1/contacts/([A-Za-z0-9_-]{1,36})"));
        CHECK(regex == "/self-service/(?:v1|v2)/contacts/([A-Za-z0-9_-]{1,36})");
        const std::regex re(regex);
        std::smatch m;
        const std::string v1 = "/self-service/v1/contacts/abc",
                          v2 = "/self-service/v2/contacts/abc";
        REQUIRE(std::regex_match(v1, m, re));
        CHECK(m.size() == 2);
        CHECK(m[1] == "abc");
        REQUIRE(std::regex_match(v2, m, re));
        CHECK(m[1] == "abc");
        CHECK_FALSE(std::regex_match(std::string("/self-service/v3/contacts/abc"), re));
        CHECK(route_regex("/healthz") == "/healthz");
    }

    TEST_CASE("api versions: a path's version and API") {
        CHECK(api_version("/backoffice/v2/contacts") == "v2");
        CHECK(api_version("/backoffice/v3/contacts") == "");
        CHECK(api_version("/portal/config.json") == "");
        CHECK(is_self_service_v2("/self-service/v2/contacts/me"));
        CHECK_FALSE(is_self_service_v2("/self-service/v1/contacts/me"));
        CHECK_FALSE(is_self_service_v2("/backoffice/v2/contacts"));
        CHECK(is_self_service("/self-service/v1/contacts/me"));
        CHECK_FALSE(is_self_service("/backoffice/v1/contacts"));
    }
}
