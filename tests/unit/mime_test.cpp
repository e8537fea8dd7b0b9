#include <doctest/doctest.h>

#include <regex>
#include <string>

#include "delivery/mime.h"

using namespace contactd::delivery::mime;

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A strict quoted-printable decoder (upper-case hex only, as RFC 2045 requires of encoders).
std::string qp_decode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '=') {
            out += text[i];
            continue;
        }
        if (text.compare(i + 1, 2, "\r\n") == 0) {
            i += 2;  // soft line break
            continue;
        }
        REQUIRE(i + 2 < text.size());
        const int hi = hex_value(text[i + 1]);
        const int lo = hex_value(text[i + 2]);
        REQUIRE(hi >= 0);
        REQUIRE(lo >= 0);
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::string base64_decode(const std::string& text) {
    static const std::string kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int bits = 0;
    unsigned value = 0;
    for (const char c : text) {
        if (c == '=') break;
        const auto pos = kAlphabet.find(c);
        REQUIRE(pos != std::string::npos);
        value = (value << 6) | static_cast<unsigned>(pos);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((value >> bits) & 0xff);
        }
    }
    return out;
}

// The text of a run of "=?UTF-8?B?…?=" words (separated by folding white space).
std::string decode_words(const std::string& header) {
    std::string out;
    const std::regex word(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=)");
    std::string rest = std::regex_replace(header, word, "");
    for (const char c : rest)
        CHECK((c == ' ' || c == '\r' || c == '\n'));  // nothing but words and folding
    for (auto it = std::sregex_iterator(header.begin(), header.end(), word);
         it != std::sregex_iterator(); ++it) {
        CHECK((*it)[0].length() <= 75);
        out += base64_decode((*it)[1].str());
    }
    return out;
}

void check_lines(const std::string& text, std::size_t max) {
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = text.find("\r\n", start);
        REQUIRE(end != std::string::npos);  // every line ends with CRLF
        const auto line = text.substr(start, end - start);
        CHECK(line.size() <= max);
        CHECK(line.find('\n') == std::string::npos);  // no bare LF
        CHECK(line.find('\r') == std::string::npos);  // no bare CR
        start = end + 2;
    }
}

}  // namespace

TEST_SUITE("delivery::mime") {
    TEST_CASE("mime::quoted_printable escapes '=', 8-bit bytes and trailing white space") {
        CHECK(quoted_printable("a=b") == "a=3Db");
        CHECK(quoted_printable("café") == "caf=C3=A9");
        CHECK(quoted_printable("end \nnext\t") == "end=20\r\nnext=09");
        CHECK(quoted_printable("one\r\ntwo\n") == "one\r\ntwo\r\n");
    }

    TEST_CASE("mime::quoted_printable keeps lines within 76 characters and round-trips") {
        std::string text = "Ο κωδικός σας είναι 123456. ";
        for (int i = 0; i < 6; ++i) text += text;  // long lines of two-byte characters
        text += "\nshort line\n" + std::string(300, '=') + "\n" + std::string(200, 'x') + " \n";
        const auto encoded = quoted_printable(text);
        check_lines(encoded + "\r\n", 76);
        std::string expected;
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '\n') expected += '\r';
            expected += text[i];
        }
        CHECK(qp_decode(encoded) == expected);
    }

    TEST_CASE("mime::encode_header_text leaves ASCII alone and encodes UTF-8 in short words") {
        CHECK(encode_header_text("Your sign-in code") == "Your sign-in code");
        const std::string greek =
            "Ο κωδικός σύνδεσής σας — επιβεβαιώστε τον νέο τρόπο σύνδεσης τώρα";
        const auto encoded = encode_header_text(greek);
        CHECK(encoded.starts_with("=?UTF-8?B?"));
        CHECK(encoded.find("\r\n ") != std::string::npos);  // more than one word, folded
        CHECK(decode_words(encoded) == greek);
        // Text that looks like an encoded word is encoded, so a reader cannot be fooled.
        CHECK(decode_words(encode_header_text("=?UTF-8?B?SGk=?=")) == "=?UTF-8?B?SGk=?=");
    }

    TEST_CASE("mime::encode_header_text never lets a line break into a header") {
        const auto plain = encode_header_text("Hello\r\nBcc: victim@example.com");
        CHECK(plain == "Hello Bcc: victim@example.com");
        const auto encoded = encode_header_text("Γεια\r\nBcc: victim@example.com");
        CHECK(decode_words(encoded) == "Γεια Bcc: victim@example.com");
    }

    TEST_CASE("mime::parse_mailbox reads a display name and an address, and refuses the rest") {
        auto m = parse_mailbox("Contactd <no-reply@example.com>");
        REQUIRE(m);
        CHECK(m->display_name == "Contactd");
        CHECK(m->address == "no-reply@example.com");
        m = parse_mailbox("  no-reply@example.com ");
        REQUIRE(m);
        CHECK(m->display_name.empty());
        CHECK(m->address == "no-reply@example.com");
        m = parse_mailbox("\"Doe, John\" <john@example.com>");
        REQUIRE(m);
        CHECK(m->display_name == "Doe, John");
        CHECK_FALSE(parse_mailbox("not an address"));
        CHECK_FALSE(parse_mailbox("a@b@c"));
        CHECK_FALSE(parse_mailbox("Name <a@example.com"));
        CHECK_FALSE(parse_mailbox("<a b@example.com>"));
        CHECK_FALSE(parse_mailbox("@example.com"));
        CHECK_FALSE(parse_mailbox("a@"));
    }

    TEST_CASE("mime::format_mailbox quotes specials and encodes non-ASCII names") {
        CHECK(format_mailbox({"Contactd", "a@example.com"}) == "Contactd <a@example.com>");
        CHECK(format_mailbox({"", "a@example.com"}) == "<a@example.com>");
        CHECK(format_mailbox({"Doe, \"J\"", "a@example.com"}) ==
              "\"Doe, \\\"J\\\"\" <a@example.com>");
        const auto encoded = format_mailbox({"Café Ωmega", "a@example.com"});
        REQUIRE(encoded.ends_with(" <a@example.com>"));
        CHECK(decode_words(encoded.substr(
                  0, encoded.size() - std::string(" <a@example.com>").size())) == "Café Ωmega");
    }

    TEST_CASE("mime::rfc5322_date formats UTC with English names") {
        CHECK(rfc5322_date(1'700'000'000) == "Tue, 14 Nov 2023 22:13:20 +0000");
        CHECK(rfc5322_date(0) == "Thu, 01 Jan 1970 00:00:00 +0000");
    }

    TEST_CASE("mime::build writes the headers and a multipart/alternative body") {
        Email email;
        email.from = {"Contactd", "no-reply@example.com"};
        email.to = "andy@example.org";
        email.subject = "Ο κωδικός σας";
        email.text = "Your code is 123456.\nBye.";
        email.html = "<p>Your code is <b>123456</b>.</p>";
        email.date = 1'700'000'000;
        email.message_id = "<abc@example.com>";
        email.boundary = "=_contactd_test";
        const auto message = build(email);
        check_lines(message, 998);
        const auto blank = message.find("\r\n\r\n");
        REQUIRE(blank != std::string::npos);
        const auto headers = message.substr(0, blank + 2);
        CHECK(headers.find("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n") != std::string::npos);
        CHECK(headers.find("From: Contactd <no-reply@example.com>\r\n") != std::string::npos);
        CHECK(headers.find("To: <andy@example.org>\r\n") != std::string::npos);
        CHECK(headers.find("Subject: =?UTF-8?B?") != std::string::npos);
        CHECK(headers.find("Message-ID: <abc@example.com>\r\n") != std::string::npos);
        CHECK(headers.find("MIME-Version: 1.0\r\n") != std::string::npos);
        CHECK(
            headers.find("Content-Type: multipart/alternative; boundary=\"=_contactd_test\"\r\n") !=
            std::string::npos);
        const auto body = message.substr(blank + 4);
        const auto plain = body.find(
            "--=_contactd_test\r\nContent-Type: text/plain; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            "Your code is 123456.\r\nBye.\r\n");
        const auto html = body.find(
            "--=_contactd_test\r\nContent-Type: text/html; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            "<p>Your code is <b>123456</b>.</p>\r\n");
        CHECK(plain != std::string::npos);
        CHECK(html != std::string::npos);
        CHECK(plain < html);  // the preferred (richer) part comes last
        CHECK(body.ends_with("--=_contactd_test--\r\n"));
    }

    TEST_CASE("mime::build without HTML is a single text/plain message") {
        Email email;
        email.from = {"", "no-reply@example.com"};
        email.to = "andy@example.org";
        email.subject = "Hi";
        email.text = "Plain";
        email.message_id = "<x@example.com>";
        const auto message = build(email);
        CHECK(message.find("multipart") == std::string::npos);
        CHECK(message.find("Content-Type: text/plain; charset=UTF-8\r\n") != std::string::npos);
        CHECK(message.ends_with("\r\n\r\nPlain\r\n"));
    }
}
