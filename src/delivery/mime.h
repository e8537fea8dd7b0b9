#pragma once
// Internet message format for email: RFC 5322 headers, RFC 2045-2047 MIME. Pure
// functions, no I/O, so each rule is tested on its own.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace contactd::delivery::mime {

struct Mailbox {
    std::string display_name;  // UTF-8, may be empty
    std::string address;       // addr-spec, ASCII
};

// "Name <local@domain>", "\"Quoted, Name\" <local@domain>" or "local@domain".
// nullopt unless it holds one plausible address (no spaces, controls or angle brackets
// in it, one '@' with text on both sides).
std::optional<Mailbox> parse_mailbox(std::string_view text);
bool plausible_address(std::string_view address);

// The mailbox as a header value: the display name as an atom run, a quoted string or
// RFC 2047 encoded words (when not ASCII), then "<address>".
std::string format_mailbox(const Mailbox& mailbox);

// An unstructured header value (Subject): as it is when it is printable ASCII, else
// RFC 2047 "=?UTF-8?B?…?=" words of at most 75 characters, folded onto continuation
// lines. Line breaks and other controls never reach the header.
std::string encode_header_text(std::string_view text);

// Quoted-printable (RFC 2045 section 6.7) of UTF-8 text: CRLF line ends, lines of at
// most 76 characters.
std::string quoted_printable(std::string_view text);

// "Tue, 14 Nov 2023 22:13:20 +0000" (RFC 5322 section 3.3), in UTC.
std::string rfc5322_date(std::int64_t epoch_seconds);

// The domain of an address ("example.com" for "a@example.com").
std::string domain_of(std::string_view address);

struct Email {
    Mailbox from;
    std::string to;  // the recipient's address
    std::string subject;
    std::string text;                 // the text/plain part
    std::optional<std::string> html;  // the text/html part; multipart/alternative when given
    std::int64_t date = 0;            // epoch seconds
    std::string message_id;           // "<unique@domain>"
    std::string boundary;             // must not occur in the encoded parts
};

// The whole message, CRLF line ends, ready for SMTP DATA (before dot-stuffing).
std::string build(const Email& email);

}  // namespace contactd::delivery::mime
