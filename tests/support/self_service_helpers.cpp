#include "support/self_service_helpers.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace contactd::test {

Json check_error(const httplib::Result& result, int status) {
    REQUIRE(result);
    CHECK(result->status == status);
    CHECK(result->get_header_value("Content-Type").rfind("application/json", 0) == 0);
    const Json body = Json::parse(result->body, nullptr, false);
    REQUIRE_MESSAGE(body.is_object(), "error body is not a JSON object: " << result->body);
    CHECK(body.size() == 4);
    CHECK(body.value("status", 0) == status);
    REQUIRE(body.contains("error"));
    REQUIRE(body["error"].is_string());
    CHECK(body["error"].get<std::string>().rfind("CRM.EXCEPTIONS.", 0) == 0);
    CHECK(body["error"].get<std::string>().size() > std::string("CRM.EXCEPTIONS.").size());
    REQUIRE(body.contains("message"));
    REQUIRE(body["message"].is_string());
    CHECK_FALSE(body["message"].get<std::string>().empty());
    REQUIRE(body.contains("parameters"));
    REQUIRE(body["parameters"].is_array());
    for (const auto& p : body["parameters"]) CHECK(p.is_string());
    return body;
}

httplib::Result register_phone(TestServer& server, const std::string& national_number,
                               const std::string& country) {
    return server.post(
        kSelfService + "/contacts/register",
        {{"first_name", "Andy"},
         {"last_name", "Steward"},
         {"identity",
          {{"provider", "PHONE"}, {"phone_number", national_number}, {"country_code", country}}},
         {"service_acceptance", true}});
}

httplib::Result register_email(TestServer& server, const std::string& email) {
    return server.post(kSelfService + "/contacts/register",
                       {{"first_name", "Emma"},
                        {"last_name", "Mail"},
                        {"identity", {{"provider", "EMAIL"}, {"email", email}}}});
}

httplib::Result validate_otp(TestServer& server, const std::string& auth_otp,
                             const std::string& code) {
    return server.post(kSelfService + "/contacts/validate-otp",
                       {{"auth_otp", auth_otp}, {"code", code}});
}

namespace {

SignedInContact finish_sign_up(TestServer& server, const httplib::Result& registered,
                               const std::string& recipient) {
    REQUIRE(registered);
    REQUIRE_MESSAGE(registered->status == 201, registered->body);
    const Json challenge = json_of(registered);
    REQUIRE(challenge.contains("auth_otp"));
    REQUIRE(challenge.contains("id"));
    const auto code = server.last_code_for(recipient);
    const auto validated = validate_otp(server, challenge["auth_otp"], code);
    REQUIRE(validated);
    REQUIRE_MESSAGE(validated->status == 200, validated->body);
    const Json session = json_of(validated);
    REQUIRE(session["contact"]["id"] == challenge["id"]);
    return {challenge["id"], session["access_token"], session["refresh_token"], session};
}

}  // namespace

SignedInContact sign_up_by_phone(TestServer& server, const std::string& national_number,
                                 const std::string& country) {
    const auto registered = register_phone(server, national_number, country);
    REQUIRE(registered);
    // The recipient is the E.164 form; for these tests the country is CYP or given whole.
    std::string e164 = national_number;
    if (country == "CYP" && national_number.rfind("+", 0) != 0) e164 = "+357" + national_number;
    return finish_sign_up(server, registered, e164);
}

SignedInContact sign_up_by_email(TestServer& server, const std::string& email) {
    std::string key = email;
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return finish_sign_up(server, register_email(server, email), key);
}

std::string other_code(const std::string& code) {
    std::string w = code;
    w[0] = static_cast<char>('0' + ((w[0] - '0' + 1) % 10));
    return w;
}

int connect_to(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    return fd;
}

std::string raw_http(int port, const std::string& bytes, int timeout_ms) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("connect failed");
    }
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;  // the server may close early (e.g. after a 413)
        sent += static_cast<std::size_t>(n);
    }
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    char buffer[4096];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

int raw_status(const std::string& raw) {
    if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12) return 0;
    return std::stoi(raw.substr(9, 3));
}

std::string raw_body(const std::string& raw) {
    const auto end = raw.find("\r\n\r\n");
    return end == std::string::npos ? std::string() : raw.substr(end + 4);
}

std::string dump_database(const std::string& path) {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    std::string out;
    SQLite::Statement tables(db,
                             "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    while (tables.executeStep()) {
        const std::string table = tables.getColumn(0).getString();
        SQLite::Statement rows(db, "SELECT * FROM \"" + table + "\"");
        while (rows.executeStep()) {
            out += table;
            for (int i = 0; i < rows.getColumnCount(); ++i) {
                out += "|";
                out += rows.getColumnName(i);
                out += "=";
                const auto column = rows.getColumn(i);
                if (column.isBlob()) {
                    out.append(static_cast<const char*>(column.getBlob()),
                               static_cast<std::size_t>(column.getBytes()));
                } else if (!column.isNull()) {
                    out += column.getString();
                }
            }
            out += "\n";
        }
    }
    return out;
}

}  // namespace contactd::test
