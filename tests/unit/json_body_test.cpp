// http::json_io: the input rules every request body obeys (API.md "Security behaviour"),
// decided once in decode_body()/parse_body(), and the same rule for query parameters.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "domain/backoffice_fields.h"
#include "http/backoffice_json.h"
#include "http/json_io.h"
#include "util/error.h"
#include "util/strict_json.h"
#include "util/strings.h"

using contactd::Error;
using contactd::ErrorKind;
using contactd::http::decode_body;
using contactd::http::Json;

namespace {

using Params = std::vector<std::string>;

// The parameters of the InvalidValue error that decoding `text` throws; fails if none.
Params refused(const std::string& text) {
    try {
        decode_body(text);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::InvalidValue);
        CHECK(e.code() == "INVALIDVALUEEXCEPTION");
        CHECK_FALSE(std::string(e.what()).empty());
        return e.parameters();
    }
    FAIL("not refused: " << text.substr(0, 120));
    return {};
}

std::string repeat(const std::string& unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += unit;
    return out;
}

// A body with `depth` nested objects in all, the body itself included.
std::string nested(int depth) {
    std::string text = "{}";
    for (int i = 1; i < depth; ++i) text = "{\"a\":" + text + "}";
    return text;
}

}  // namespace

TEST_SUITE("http::json_io input rules") {
    TEST_CASE("json_io: a body within the rules decodes unchanged") {
        const auto body = decode_body(
            R"({"first_name":"Ανδρέας","identity":{"provider":"EMAIL","email":"a@b.example"},)"
            R"("phones":[{"number":"+35799478230"}],"n":1,"t":true,"z":null})");
        CHECK(body["first_name"] == "Ανδρέας");
        CHECK(body["identity"]["email"] == "a@b.example");
        CHECK(body["phones"][0]["number"] == "+35799478230");
    }

    TEST_CASE("json_io: a control character in any string is refused, naming its field") {
        for (const char* escape :
             {"\\u0000", "\\u0001", "\\t", "\\n", "\\r", "\\u001b", "\\u001f", "\\u007f"}) {
            CAPTURE(escape);
            CHECK(refused(std::string(R"({"email":"a@b.example)") + escape + R"("})") ==
                  Params{"email"});
        }
        // Nested in objects and arrays: the innermost key names it.
        CHECK(refused(R"({"identity":{"provider":"EMAIL","email":"a\u0000@b.example"}})") ==
              Params{"email"});
        CHECK(refused(R"({"identification":{"phone":{"number":"99\u0000478230"}}})") ==
              Params{"number"});
        CHECK(refused(R"({"custom_fields":[{"key":"k","value":"v\u0007"}]})") == Params{"value"});
        CHECK(refused(R"({"tags":["ok","b\u0000d"]})") == Params{"tags"});
        // A raw (unescaped) control byte is not JSON at all.
        CHECK(refused(std::string("{\"email\":\"a\x01@b.example\"}")).empty());
    }

    TEST_CASE("json_io: text above U+007F and escapes of printable characters are kept") {
        // U+0080..U+009F are not in the contract's range; U+00A0 and U+2028 neither.
        const auto body = decode_body(R"({"first_name":"\u00e9\u0080\u2028\u0041"})");
        CHECK(body["first_name"] ==
              "\xC3\xA9\xC2\x80\xE2\x80\xA8"
              "A");
    }

    TEST_CASE("json_io: a control character in a field name is refused without echoing it") {
        CHECK(refused(R"({"first\u0000name":"Andy"})").empty());
        CHECK(refused(R"({"identity":{"em\nail":"a@b.example"}})") == Params{"identity"});
    }

    TEST_CASE("json_io: names are at most 200 code points, wherever they appear") {
        const std::string names[] = {"first_name", "last_name", "middle_name", "company_name",
                                     "title"};
        for (const auto& name : names) {
            CAPTURE(name);
            // 200 two-byte characters (400 bytes) are fine; 201 are not.
            CHECK(decode_body("{\"" + name + "\":\"" + repeat("\xC3\xA9", 200) + "\"}")[name] ==
                  repeat("\xC3\xA9", 200));
            CHECK(refused("{\"" + name + "\":\"" + repeat("\xC3\xA9", 201) + "\"}") ==
                  Params{name});
            CHECK(refused("{\"" + name + "\":\"" + std::string(60000, 'x') + "\"}") ==
                  Params{name});
            // Inside an identity or a v2 identification, too.
            CHECK(refused("{\"identification\":{\"" + name + "\":\"" + std::string(201, 'x') +
                          "\"}}") == Params{name});
        }
        // A four-byte character is one code point: 200 of them (800 bytes) are fine.
        CHECK(decode_body("{\"last_name\":\"" + repeat("\xF0\x9F\x98\x80", 200) + "\"}")
                  .contains("last_name"));
        // Other fields are not names: their limits are the domain's.
        CHECK(decode_body("{\"avatar\":\"" + std::string(2000, 'x') + "\"}").contains("avatar"));
    }

    TEST_CASE("json_io: a duplicate key is refused, naming it, at any depth") {
        CHECK(refused(R"({"first_name":"Andy","first_name":"Mallory"})") == Params{"first_name"});
        CHECK(refused(R"({"identity":{"email":"a@b.example","email":"m@e.example"}})") ==
              Params{"email"});
        CHECK(refused(R"({"phones":[{"number":"1"},{"number":"2","number":"3"}]})") ==
              Params{"number"});
        // A key that holds control characters is not echoed.
        CHECK(refused(R"({"a\u0000":1,"a\u0000":2})").empty());
    }

    TEST_CASE("json_io: nesting is at most 32 deep") {
        CHECK(decode_body(nested(32)).is_object());
        CHECK(refused(nested(33)).empty());
        CHECK(refused(std::string(100000, '[')).empty());
        CHECK(refused("{\"a\":" + std::string(40, '[') + std::string(40, ']') + "}").empty());
    }

    TEST_CASE("json_io: malformed bodies and bodies that are not objects are refused") {
        for (const std::string bad : {"{", "[]", "\"x\"", "1", "null", "{} {}", "\xff"}) {
            CAPTURE(bad);
            CHECK(refused(bad).empty());
        }
    }

    TEST_CASE("json_io: parse_body applies the rules and still requires application/json") {
        httplib::Request req;
        req.body = R"({"first_name":"A\u0000"})";
        req.headers.emplace("Content-Type", "application/json; charset=utf-8");
        try {
            contactd::http::parse_body(req);
            FAIL("not refused");
        } catch (const Error& e) {
            CHECK(e.parameters() == Params{"first_name"});
        }
        req.headers.clear();
        req.headers.emplace("Content-Type", "text/plain");
        try {
            contactd::http::parse_body(req);
            FAIL("not refused");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::UnsupportedMediaType);
        }
    }

    TEST_CASE("json_io: a query parameter with a control character is refused, naming it") {
        httplib::Request req;
        req.params.emplace("search_value", std::string("Andy\0", 5));
        req.params.emplace("code", "C-1\n");
        req.params.emplace("phone", "+35799478230");
        for (const char* name : {"search_value", "code"}) {
            CAPTURE(name);
            try {
                contactd::http::query_param(req, name);
                FAIL("not refused");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::InvalidValue);
                CHECK(e.parameters() == Params{name});
            }
        }
        CHECK(contactd::http::query_param(req, "phone") == "+35799478230");
        CHECK_FALSE(contactd::http::query_param(req, "email_address").has_value());
    }
}

TEST_SUITE("util::strings control characters") {
    TEST_CASE("strings::has_control_characters covers U+0000-U+001F and U+007F only") {
        for (int c = 0; c < 0x20; ++c) {
            CAPTURE(c);
            CHECK(contactd::has_control_characters(std::string("a") + static_cast<char>(c)));
        }
        CHECK(contactd::has_control_characters("\x7F"));
        CHECK_FALSE(contactd::has_control_characters(""));
        CHECK_FALSE(contactd::has_control_characters("Andy Steward ~"));
        CHECK_FALSE(contactd::has_control_characters("\xC2\x80\xC3\xA9\xE2\x80\xA8"));
    }

    TEST_CASE("strict_json: the duplicate key is reported to a caller that asks") {
        std::string key;
        CHECK(contactd::parse_strict_json(R"({"a":{"k":1,"k":2}})", 32, &key).error() ==
              contactd::JsonProblem::DuplicateKey);
        CHECK(key == "k");
    }
}
