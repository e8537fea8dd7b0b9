#include "http/request_framing.h"

#include <charconv>
#include <limits>
#include <optional>

#include "util/strings.h"

namespace contactd::http {
namespace {

using Outcome = FramingResult::Outcome;

FramingResult refuse(int status, std::string message) {
    FramingResult result;
    result.outcome = Outcome::Refused;
    result.status = status;
    result.message = std::move(message);
    return result;
}

bool is_token_char(char c) {
    if (c >= 'a' && c <= 'z') return true;
    if (c >= 'A' && c <= 'Z') return true;
    if (c >= '0' && c <= '9') return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text)
        if (!is_token_char(c)) return false;
    return true;
}

std::string_view trim_ows(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

bool has_control(std::string_view text) {
    for (const unsigned char c : text)
        if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
    return false;
}

bool takes_body(std::string_view method) {
    return method == "POST" || method == "PUT" || method == "PATCH";
}

// Range is honoured only on the portal's static files, and only a single range: a list
// of ranges made cpp-httplib answer a multipart copy of the file per range (200 ranges on
// /openapi.json answered 22 MB), and API answers must never be cut.
bool range_honoured(std::string_view method, std::string_view path, std::string_view value) {
    if (method != "GET" && method != "HEAD") return false;
    if (path != "/" && path.rfind("/assets/", 0) != 0) return false;
    return value.rfind("bytes=", 0) == 0 && value.find(',') == std::string_view::npos;
}

// Fields the router must never see from a client: cpp-httplib adds REMOTE_ADDR and the
// like as request headers *after* the client's, and get_header_value() returns the first.
bool reserved_field(std::string_view name) {
    return iequals(name, "REMOTE_ADDR") || iequals(name, "REMOTE_PORT") ||
           iequals(name, "LOCAL_ADDR") || iequals(name, "LOCAL_PORT");
}

// Digits only; a number too long to hold reads as the largest, which every limit refuses.
std::optional<std::size_t> parse_length(std::string_view value) {
    if (value.empty() || value.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    if (value.size() > 12) return std::numeric_limits<std::size_t>::max();
    std::size_t length = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (error != std::errc() || end != value.data() + value.size()) return std::nullopt;
    return length;
}

}  // namespace

bool acceptable_request_id(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (const char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

FramingResult parse_request_head(std::string_view received, const FramingLimits& limits) {
    // RFC 9112 section 2.2: ignore empty lines before the request line.
    std::size_t start = 0;
    while (received.substr(start, 2) == "\r\n") start += 2;

    const auto window = received.substr(0, limits.max_head_bytes + start);
    const auto end = window.find("\r\n\r\n", start);
    if (end == std::string_view::npos) {
        if (received.size() >= limits.max_head_bytes + start)
            return refuse(431, "The request header is too large");
        return {};
    }

    FramingResult result;
    RequestHead& head = result.head;
    head.head_bytes = end + 4;
    const auto block = received.substr(start, end + 2 - start);  // every line ends in CRLF

    std::size_t line_end = block.find("\r\n");
    const auto request_line = block.substr(0, line_end);
    const auto first_space = request_line.find(' ');
    const auto last_space = request_line.rfind(' ');
    if (first_space == std::string_view::npos || first_space == last_space)
        return refuse(400, "The request line is malformed");
    head.method = std::string(request_line.substr(0, first_space));
    const auto target = request_line.substr(first_space + 1, last_space - first_space - 1);
    const auto version = request_line.substr(last_space + 1);
    if (!is_token(head.method) || target.empty() || target.find(' ') != std::string_view::npos ||
        has_control(target) || (version != "HTTP/1.1" && version != "HTTP/1.0")) {
        return refuse(400, "The request line is malformed");
    }
    if (target.size() > limits.max_target_length) return refuse(414, "The request URI is too long");
    head.path = std::string(target.substr(0, target.find('?')));
    if (head.path.size() > limits.max_path_length)
        return refuse(414, "The request URI is too long");

    std::optional<std::size_t> content_length;
    std::string_view content_type;
    std::string kept;
    kept.reserve(block.size() + 32);
    kept.append(request_line).append("\r\n");
    std::size_t fields = 0;
    for (std::size_t pos = line_end + 2; pos < block.size(); pos = line_end + 2) {
        line_end = block.find("\r\n", pos);
        const auto line = block.substr(pos, line_end - pos);
        if (++fields > limits.max_fields) return refuse(431, "Too many header fields");
        // Obsolete line folding (RFC 9112 section 5.2) is refused, not unfolded.
        if (line.front() == ' ' || line.front() == '\t')
            return refuse(400, "Folded header fields are not accepted");
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
            return refuse(400, "A header field is malformed");
        const auto name = line.substr(0, colon);
        const auto value = trim_ows(line.substr(colon + 1));
        if (has_control(value)) return refuse(400, "A header field holds a control character");

        if (iequals(name, "Content-Length")) {
            const auto length = parse_length(value);
            if (!length) return refuse(400, "Content-Length is not a number");
            if (content_length && *content_length != *length)
                return refuse(400, "Conflicting Content-Length fields");
            content_length = length;
            continue;  // added back below when the body is kept
        }
        if (iequals(name, "Transfer-Encoding")) {
            // cpp-httplib would read a chunked body without the payload limit; no client of
            // this API needs one.
            return refuse(411, "Send the body with a Content-Length");
        }
        if (iequals(name, "Content-Encoding") && !iequals(value, "identity")) {
            // cpp-httplib would inflate it, past every size limit.
            return refuse(415, "Compressed request bodies are not accepted");
        }
        if (iequals(name, "Expect")) {
            if (!iequals(value, "100-continue"))
                return refuse(417, "Only 100-continue is expected");
            head.expect_continue = true;
            continue;  // the loop answers 100 itself, once the head has passed
        }
        if (iequals(name, "X-Request-Id")) {
            if (acceptable_request_id(value)) head.client_request_id = std::string(value);
            continue;  // the loop adds the id the request is known by
        }
        if (iequals(name, "Content-Type")) content_type = value;
        if (iequals(name, "Range") && !range_honoured(head.method, head.path, value)) continue;
        if (reserved_field(name)) continue;
        kept.append(line).append("\r\n");
    }

    const std::size_t length = content_length.value_or(0);
    if (length > limits.max_body_bytes) return refuse(413, "The request body is too large");
    head.body_bytes = length;
    head.keep_body = takes_body(head.method);
    if (head.keep_body) {
        // Every body this API takes is JSON. Refused before it is read: cpp-httplib would
        // parse a multipart/form-data body itself.
        if (length > 0) {
            const auto media =
                to_lower(trim(std::string(content_type.substr(0, content_type.find(';')))));
            if (media != "application/json")
                return refuse(415, "Content-Type must be application/json");
        }
        // Without a length cpp-httplib 0.11.4 reads a POST body until the client closes.
        kept.append("Content-Length: ").append(std::to_string(length)).append("\r\n");
    } else {
        head.expect_continue = head.expect_continue && length > 0;
    }
    head.head_for_router = std::move(kept);
    result.outcome = Outcome::Complete;
    return result;
}

}  // namespace contactd::http
