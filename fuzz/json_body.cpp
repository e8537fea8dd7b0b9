// Fuzz target: request body decoding, on arbitrary bytes, through http::parse_body() as
// every route calls it (src/http/json_io.h). Besides "no crash, no sanitizer report", it
// checks what the decoding layer promises:
//   - a refusal is Error(InvalidValue), and its parameters never hold control characters
//     (a refused text is not echoed);
//   - an accepted body is an object at most 32 deep, with no control character in any
//     string or key and names of at most 200 code points;
//   - the typed readers (get_string, get_bool, require_string) throw only Error;
//   - decoding the accepted body's own serialisation gives the same body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/json_io.h"
#include "util/error.h"
#include "util/strings.h"

namespace {

using contactd::Error;
using contactd::http::Json;

void require(bool condition) {
    if (!condition) std::abort();
}

bool is_name(std::string_view key) {
    return key == "first_name" || key == "last_name" || key == "middle_name" ||
           key == "company_name" || key == "title";
}

void check_accepted(const Json& value, std::string_view field, int depth) {
    if (value.is_object() || value.is_array()) require(depth <= 32);
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        require(!contactd::has_control_characters(text));
        const auto length = contactd::utf8_length(text);
        require(length.has_value());
        if (is_name(field)) require(*length <= contactd::http::kMaxNameLength);
    } else if (value.is_object()) {
        for (const auto& [key, member] : value.items()) {
            require(!contactd::has_control_characters(key));
            check_accepted(member, key, depth + 1);
        }
    } else if (value.is_array()) {
        for (const auto& item : value) check_accepted(item, field, depth + 1);
    }
}

template <class F>
void only_domain_errors(F&& read) {
    try {
        read();
    } catch (const Error& e) {
        require(e.kind() == contactd::ErrorKind::InvalidValue);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    httplib::Request req;
    req.body.assign(reinterpret_cast<const char*>(data), size);
    req.headers.emplace("Content-Type", "application/json");
    Json body;
    try {
        body = contactd::http::parse_body(req);
    } catch (const Error& e) {
        require(e.kind() == contactd::ErrorKind::InvalidValue);
        require(e.code() == "INVALIDVALUEEXCEPTION");
        for (const auto& parameter : e.parameters())
            require(!contactd::has_control_characters(parameter));
        return 0;
    }
    require(body.is_object());
    check_accepted(body, "", 1);
    for (auto it = body.begin(); it != body.end(); ++it) {
        const std::string key = it.key();
        only_domain_errors([&] { contactd::http::get_string(body, key.c_str()); });
        only_domain_errors([&] { contactd::http::get_bool(body, key.c_str()); });
        only_domain_errors([&] { contactd::http::require_string(body, key.c_str()); });
    }
    require(contactd::http::decode_body(body.dump()) == body);
    return 0;
}
