#include "delivery/smtp_channel.h"

#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "crypto/encoding.h"
#include "crypto/random.h"
#include "delivery/curl_library.h"
#include "util/strings.h"

namespace contactd::delivery {
namespace {

constexpr std::size_t kMaxDetail = 300;

struct Upload {
    std::string_view data;
    std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* upload = static_cast<Upload*>(user);
    const std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
    std::memcpy(buffer, upload->data.data() + upload->offset, n);
    upload->offset += n;
    return n;
}

// The host of "scheme://[userinfo@]host[:port][/path]", without brackets.
std::string host_of(const std::string& url) {
    const auto start = url.find("://") + 3;
    const auto end = url.find_first_of("/?#", start);
    std::string authority =
        url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (const auto at = authority.rfind('@'); at != std::string::npos)
        authority = authority.substr(at + 1);
    if (!authority.empty() && authority.front() == '[')
        return authority.substr(1, authority.find(']') - 1);
    return authority.substr(0, authority.find(':'));
}

bool has_userinfo(const std::string& url) {
    const auto start = url.find("://") + 3;
    const auto end = url.find_first_of("/?#", start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start)
               .find('@') != std::string::npos;
}

bool is_loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::string bounded(std::string text) {
    if (text.size() > kMaxDetail) text.resize(kMaxDetail);
    return text;
}

}  // namespace

SmtpChannel::SmtpChannel(SmtpSettings settings) : settings_(std::move(settings)) {
    const std::string scheme = to_lower(settings_.url.substr(0, settings_.url.find("://")));
    if (settings_.url.find("://") == std::string::npos || (scheme != "smtp" && scheme != "smtps")) {
        throw std::invalid_argument("CONTACTD_SMTP_URL must start with smtp:// or smtps://");
    }
    if (host_of(settings_.url).empty())
        throw std::invalid_argument("CONTACTD_SMTP_URL has no host");
    const auto from = mime::parse_mailbox(settings_.from);
    if (!from)
        throw std::invalid_argument(
            "CONTACTD_SMTP_FROM must be an address, as a@example.com or Name <a@example.com>");
    from_ = *from;
    implicit_tls_ = scheme == "smtps";
    const bool credentials = settings_.username.has_value() || has_userinfo(settings_.url);
    require_tls_ = credentials && !is_loopback(host_of(settings_.url));
    curl_library();  // a missing libcurl stops the start, not the first email
}

std::string SmtpChannel::render(const storage::MessageRecord& message, std::int64_t now) const {
    mime::Email email;
    email.from = from_;
    email.to = message.recipient;
    email.subject = message.subject.value_or("");
    email.text = message.body.value_or("");
    email.html = message.html_body;
    email.date = now;
    // Built by appending, not as `"<" + std::string&&` (nor by assigning "<"): at -O3
    // GCC 12 reports a false -Wrestrict overlap inside basic_string::_M_replace
    // (GCC bug 105329).
    std::string message_id(1, '<');
    message_id += crypto::to_hex(crypto::random_bytes(16));
    message_id += '@';
    message_id += mime::domain_of(from_.address);
    message_id += '>';
    email.message_id = std::move(message_id);
    email.boundary = "=_contactd_" + crypto::to_hex(crypto::random_bytes(12));
    return mime::build(email);
}

SendResult SmtpChannel::send(const storage::MessageRecord& message) {
    if (!message.body) return {SendResult::Outcome::Failed, "the message has no text"};
    if (!mime::plausible_address(message.recipient)) {
        return {SendResult::Outcome::Failed, "the recipient is not an address SMTP can carry"};
    }
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const std::string data = render(message, now);

    const CurlLibrary& lib = curl_library();
    std::unique_ptr<CURL, decltype(lib.easy_cleanup)> curl(lib.easy_init(), lib.easy_cleanup);
    if (!curl) return {SendResult::Outcome::Retry, "curl_easy_init failed"};
    std::unique_ptr<curl_slist, decltype(lib.slist_free_all)> recipients(
        lib.slist_append(nullptr, ("<" + message.recipient + ">").c_str()), lib.slist_free_all);
    Upload upload{data};
    char error[CURL_ERROR_SIZE] = {0};
    const std::string mail_from = "<" + from_.address + ">";

    // Through a pointer, curl_easy_setopt loses curl.h's type checks: every integer
    // option gets a long, every callback its exact type.
    const curl_read_callback reader = read_upload;
    CURL* h = curl.get();
    const auto set = lib.easy_setopt;
    set(h, CURLOPT_URL, settings_.url.c_str());
    set(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    set(h, CURLOPT_USE_SSL,
        static_cast<long>(implicit_tls_ || require_tls_ ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (settings_.username) set(h, CURLOPT_USERNAME, settings_.username->c_str());
    if (settings_.password) set(h, CURLOPT_PASSWORD, settings_.password->c_str());
    set(h, CURLOPT_MAIL_FROM, mail_from.c_str());
    set(h, CURLOPT_MAIL_RCPT, recipients.get());
    set(h, CURLOPT_READFUNCTION, reader);
    set(h, CURLOPT_READDATA, &upload);
    set(h, CURLOPT_UPLOAD, 1L);
    set(h, CURLOPT_CONNECTTIMEOUT, settings_.connect_timeout);
    set(h, CURLOPT_TIMEOUT, settings_.timeout);
    set(h, CURLOPT_NOSIGNAL, 1L);
    set(h, CURLOPT_ERRORBUFFER, error);

    const CURLcode result = lib.easy_perform(h);
    long reply = 0;
    lib.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
    const std::string reason =
        error[0] ? std::string(error) : std::string(lib.easy_strerror(result));
    if (result == CURLE_OK)
        return {SendResult::Outcome::Delivered, "SMTP " + std::to_string(reply)};
    const std::string detail =
        bounded("SMTP " + (reply ? std::to_string(reply) + ": " : std::string()) + reason);
    // 530 (authentication or STARTTLS required) and 535 (credentials refused) are the
    // operator's to fix; the message itself is fine, so it waits for another attempt.
    const bool configuration = result == CURLE_LOGIN_DENIED || reply == 530 || reply == 535 ||
                               result == CURLE_USE_SSL_FAILED ||
                               result == CURLE_PEER_FAILED_VERIFICATION;
    if (!configuration && reply >= 500 && reply < 600) return {SendResult::Outcome::Failed, detail};
    return {SendResult::Outcome::Retry, detail};
}

}  // namespace contactd::delivery
