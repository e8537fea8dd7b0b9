#include <doctest/doctest.h>

#include "integrations/facebook_graph.h"
#include "support/fake_facebook.h"
#include "util/error.h"

using contactd::Error;
using contactd::ErrorKind;
using contactd::integrations::FacebookGraph;
using contactd::test::FakeFacebook;

TEST_SUITE("integrations::facebook_graph") {
    TEST_CASE("FacebookGraph::verify reads the profile of a token issued to this app") {
        FakeFacebook facebook("app-secret");
        facebook.add_token("good token", {"1001", "Andy", "Steward", "andy@example.com", "app-1"});
        FacebookGraph graph(facebook.base_url(), "app-1", "app-secret");
        const auto profile = graph.verify("good token");
        CHECK(profile.user_id == "1001");
        CHECK(profile.first_name == "Andy");
        CHECK(profile.email == "andy@example.com");
        const auto requests = facebook.requests();
        REQUIRE(requests.size() == 2);
        CHECK(requests[0].find("access_token=app-1|app-secret") != std::string::npos);
    }

    TEST_CASE("FacebookGraph::verify refuses unknown tokens and tokens of another app") {
        FakeFacebook facebook("app-secret");
        facebook.add_token("other app", {"1002", "Eve", "X", "", "app-2"});
        FacebookGraph graph(facebook.base_url(), "app-1", "app-secret");
        auto kind_of = [&](const std::string& token) {
            try {
                graph.verify(token);
            } catch (const Error& e) {
                return e.kind();
            }
            FAIL("no error");
            return ErrorKind::InvalidValue;
        };
        CHECK(kind_of("unknown") == ErrorKind::NotAuthenticated);
        CHECK(kind_of("other app") == ErrorKind::NotAuthenticated);
        CHECK(kind_of("") == ErrorKind::NotAuthenticated);
    }

    TEST_CASE("FacebookGraph::verify with a wrong app secret fails the appsecret_proof") {
        FakeFacebook facebook("app-secret");
        facebook.add_token("good token", {"1001", "Andy", "Steward", "", "app-1"});
        FacebookGraph graph(facebook.base_url(), "app-1", "wrong-secret");
        CHECK_THROWS_AS(graph.verify("good token"), Error);
    }

    TEST_CASE("FacebookGraph is unavailable when unconfigured or unreachable") {
        FacebookGraph unconfigured("http://127.0.0.1:9", "", "");
        try {
            unconfigured.verify("t");
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::Unavailable);
        }
        FacebookGraph unreachable("http://127.0.0.1:9", "app", "secret");
        try {
            unreachable.verify("t");
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::Unavailable);
        }
    }

    TEST_CASE("FacebookGraph::exchange_code trades a code for a token") {
        FakeFacebook facebook("app-secret");
        facebook.add_code("the-code", "user token");
        FacebookGraph graph(facebook.base_url(), "app-1", "app-secret");
        CHECK(graph.exchange_code("the-code", "http://127.0.0.1:8080/") == "user token");
        CHECK_THROWS_AS(graph.exchange_code("bad", "http://127.0.0.1:8080/"), Error);
    }
}
