#include "delivery/twilio_channel.h"

#include <httplib.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "util/strings.h"

namespace contactd::delivery {
namespace {

std::string describe(int status, const std::string& body) {
    std::string detail = "HTTP " + std::to_string(status);
    // Twilio's answers carry "sid" on success and a numeric "code" on failure; neither
    // repeats the message text.
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object()) {
        if (const auto sid = json.find("sid"); sid != json.end() && sid->is_string()) {
            detail += " " + sid->get<std::string>().substr(0, 64);
        }
        if (const auto code = json.find("code"); code != json.end() && code->is_number_integer()) {
            detail += " (Twilio error " + std::to_string(code->get<long long>()) + ")";
        }
    }
    return detail;
}

}  // namespace

std::string form_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0x0f];
        }
    }
    return out;
}

TwilioChannel::TwilioChannel(TwilioSettings settings) : settings_(std::move(settings)) {
    const auto scheme_end = settings_.base_url.find("://");
    const std::string scheme =
        scheme_end == std::string::npos ? "" : to_lower(settings_.base_url.substr(0, scheme_end));
    if (scheme != "http" && scheme != "https") {
        throw std::invalid_argument(
            "CONTACTD_TWILIO_BASE_URL must start with https:// (or http:// for a local test)");
    }
    if (settings_.account_sid.empty() || settings_.account_sid.size() > 64) {
        throw std::invalid_argument(
            "CONTACTD_TWILIO_ACCOUNT_SID must be 1 to 64 letters and digits");
    }
    for (const char c : settings_.account_sid) {
        if (!std::isalnum(static_cast<unsigned char>(c))) {
            throw std::invalid_argument(
                "CONTACTD_TWILIO_ACCOUNT_SID must be 1 to 64 letters and digits");
        }
    }
    const auto path_start = settings_.base_url.find('/', scheme_end + 3);
    origin_ = settings_.base_url.substr(0, path_start);
    std::string base_path =
        path_start == std::string::npos ? "" : settings_.base_url.substr(path_start);
    while (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
    path_ = base_path + "/2010-04-01/Accounts/" + settings_.account_sid + "/Messages.json";
}

SendResult TwilioChannel::send(const storage::MessageRecord& message) {
    if (!message.body) return {SendResult::Outcome::Failed, "the message has no text"};
    const bool service = settings_.from.size() == 34 && settings_.from.starts_with("MG");
    const std::string form = "To=" + form_encode(message.recipient) + "&" +
                             (service ? "MessagingServiceSid=" : "From=") +
                             form_encode(settings_.from) + "&Body=" + form_encode(*message.body);
    httplib::Client client(origin_);
    client.set_basic_auth(settings_.account_sid.c_str(), settings_.auth_token.c_str());
    client.set_connection_timeout(5);
    client.set_read_timeout(15);
    client.set_write_timeout(10);
    const auto response =
        client.Post(path_.c_str(), httplib::Headers{{"Accept", "application/json"}}, form,
                    "application/x-www-form-urlencoded");
    if (!response)
        return {SendResult::Outcome::Retry,
                "connection failed: " + httplib::to_string(response.error())};
    const int status = response->status;
    const std::string detail = describe(status, response->body);
    if (status >= 200 && status < 300) return {SendResult::Outcome::Delivered, detail};
    if (status >= 400 && status < 500 && status != 401 && status != 403 && status != 408 &&
        status != 429) {
        return {SendResult::Outcome::Failed, detail};
    }
    return {SendResult::Outcome::Retry, detail};
}

}  // namespace contactd::delivery
