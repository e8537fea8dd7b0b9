#include "delivery/mime.h"

#include "crypto/encoding.h"

#include <cstdio>
#include <ctime>
#include <vector>

namespace contactd::delivery::mime {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::size_t kMaxEncodedWord = 75;
constexpr std::size_t kMaxPlainHeader = 900;  // RFC 5322 allows 998 a line, header name included
constexpr std::size_t kMaxQpLine = 76;

bool is_printable_ascii(std::string_view text) {
    for (const char c : text) {
        if (c < 0x20 || c > 0x7e) return false;
    }
    return true;
}

// RFC 5322 atext, plus space: a display name made of these needs no quoting.
bool is_atom_text(std::string_view text) {
    static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~ ";
    for (const char c : text) {
        const bool alnum =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && kSpecials.find(c) == std::string_view::npos) return false;
    }
    return true;
}

// Controls (CR and LF among them) become spaces, runs of spaces one, ends trimmed.
std::string one_line(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == ' ') {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += c;
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// RFC 2047 B-encoded words, split between UTF-8 characters, joined by folding space.
std::string encoded_words(std::string_view text) {
    constexpr std::string_view kPrefix = "=?UTF-8?B?";
    constexpr std::string_view kSuffix = "?=";
    // Base64 of n bytes is 4*ceil(n/3) characters: 45 bytes fill 60 of the 63 allowed.
    constexpr std::size_t kMaxBytes = (kMaxEncodedWord - kPrefix.size() - kSuffix.size()) / 4 * 3;
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = start;
        while (end < text.size()) {
            std::size_t next = end + 1;  // to the end of this UTF-8 character
            while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xc0) == 0x80)
                ++next;
            if (next - start > kMaxBytes && end > start) break;
            end = next;
        }
        if (!out.empty()) out += "\r\n ";
        out += kPrefix;
        out += crypto::base64_encode(text.substr(start, end - start));
        out += kSuffix;
        start = end;
    }
    return out;
}

void append_hex(std::string& out, unsigned char c) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    out += '=';
    out += kHex[c >> 4];
    out += kHex[c & 0x0f];
}

}  // namespace

bool plausible_address(std::string_view address) {
    if (address.empty() || address.size() > 254) return false;
    const auto at = address.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return false;
    if (address.find('@') != at) return false;
    for (const char c : address) {
        if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' ||
            c == ';' || c == '\\' || c == '"') {
            return false;
        }
    }
    return true;
}

std::optional<Mailbox> parse_mailbox(std::string_view text) {
    const auto trimmed = one_line(text);
    std::string_view view = trimmed;
    while (!view.empty() && view.front() == ' ') view.remove_prefix(1);
    Mailbox mailbox;
    const auto open = view.rfind('<');
    if (open == std::string_view::npos) {
        mailbox.address = std::string(view);
    } else {
        if (view.back() != '>') return std::nullopt;
        mailbox.address = std::string(view.substr(open + 1, view.size() - open - 2));
        std::string name = one_line(view.substr(0, open));
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
            std::string unquoted;
            for (std::size_t i = 1; i + 1 < name.size(); ++i) {
                if (name[i] == '\\' && i + 2 < name.size()) ++i;
                unquoted += name[i];
            }
            name = unquoted;
        }
        mailbox.display_name = name;
    }
    if (!plausible_address(mailbox.address)) return std::nullopt;
    return mailbox;
}

std::string format_mailbox(const Mailbox& mailbox) {
    const std::string name = one_line(mailbox.display_name);
    if (name.empty()) return "<" + mailbox.address + ">";
    std::string phrase;
    if (!is_printable_ascii(name) || name.find("=?") != std::string::npos) {
        phrase = encoded_words(name);
    } else if (is_atom_text(name)) {
        phrase = name;
    } else {
        phrase = "\"";
        for (const char c : name) {
            if (c == '"' || c == '\\') phrase += '\\';
            phrase += c;
        }
        phrase += '"';
    }
    return phrase + " <" + mailbox.address + ">";
}

std::string encode_header_text(std::string_view text) {
    const std::string line = one_line(text);
    // "=?" could be read as the start of an encoded word, so such text is encoded too.
    if (is_printable_ascii(line) && line.size() <= kMaxPlainHeader &&
        line.find("=?") == std::string::npos) {
        return line;
    }
    return encoded_words(line);
}

std::string quoted_printable(std::string_view text) {
    std::string out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        const bool last = end == std::string_view::npos;
        if (last) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

        std::string current;
        for (std::size_t i = 0; i < line.size(); ++i) {
            const auto c = static_cast<unsigned char>(line[i]);
            std::string token;
            const bool at_line_end = i + 1 == line.size();
            if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end)) {
                token = static_cast<char>(c);
            } else {
                append_hex(token, c);
            }
            // A soft break ("=") must fit on the line too; a lone "." at a line start is
            // left to SMTP dot-stuffing.
            if (current.size() + token.size() > kMaxQpLine - 1) {
                out += current;
                out += "=\r\n";
                current.clear();
            }
            current += token;
        }
        out += current;
        if (last) break;
        out += kCrlf;
        start = end + 1;
    }
    return out;
}

std::string rfc5322_date(std::int64_t epoch_seconds) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t t = static_cast<std::time_t>(epoch_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                  tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buffer;
}

std::string domain_of(std::string_view address) {
    const auto at = address.rfind('@');
    return at == std::string_view::npos ? std::string(address)
                                        : std::string(address.substr(at + 1));
}

std::string build(const Email& email) {
    std::string out;
    auto header = [&](std::string_view name, std::string_view value) {
        out += name;
        out += ": ";
        out += value;
        out += kCrlf;
    };
    auto part_headers = [&](std::string_view type) {
        header("Content-Type", std::string(type) + "; charset=UTF-8");
        header("Content-Transfer-Encoding", "quoted-printable");
        out += kCrlf;
    };
    header("Date", rfc5322_date(email.date));
    header("From", format_mailbox(email.from));
    header("To", "<" + email.to + ">");
    header("Subject", encode_header_text(email.subject));
    header("Message-ID", email.message_id);
    header("MIME-Version", "1.0");
    header("Auto-Submitted", "auto-generated");
    if (!email.html) {
        part_headers("text/plain");
        out += quoted_printable(email.text);
        out += kCrlf;
        return out;
    }
    const std::string delimiter = "--" + email.boundary;
    header("Content-Type", "multipart/alternative; boundary=\"" + email.boundary + "\"");
    out += kCrlf;
    out += "This is a multi-part message in MIME format.";
    out += kCrlf;
    out += delimiter;
    out += kCrlf;
    part_headers("text/plain");
    out += quoted_printable(email.text);
    out += kCrlf;
    out += delimiter;
    out += kCrlf;
    part_headers("text/html");
    out += quoted_printable(*email.html);
    out += kCrlf;
    out += delimiter + "--";
    out += kCrlf;
    return out;
}

}  // namespace contactd::delivery::mime
