// The real contactd binary as a process: the apikey, migrate and keys rotate commands,
// refusing to start with a short signing secret, and `serve` answering /healthz and
// shutting down on SIGTERM/SIGINT with status 0 within 5 s, even with clients connected.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/independent_base64url.h"
#include "support/self_service_helpers.h"
#include "support/test_server.h"

extern char** environ;

using namespace contactd::test;
using Clock = std::chrono::steady_clock;

namespace {

struct Outcome {
    int status = -1;  // exit status, or -1 if it did not exit normally
    std::string out;
    std::string err;
};

// The environment without CONTACTD_* settings, so that the caller's cannot leak in.
std::vector<std::string> clean_environment() {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        if (std::strncmp(*e, "CONTACTD_", 9) != 0) env.emplace_back(*e);
    }
    return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

std::string read_all(int fd) {
    std::string out;
    char buffer[4096];
    for (;;) {
        const auto n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

// Runs `contactd args...` to completion, capturing stdout and stderr apart; `extra_env`
// ("NAME=value") is added to the clean environment.
Outcome run_contactd(std::vector<std::string> args,
                     const std::vector<std::string>& extra_env = {}) {
    args.insert(args.begin(), CONTACTD_BINARY);
    auto env = clean_environment();
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    auto argv = pointers(args);
    auto envp = pointers(env);
    int out_pipe[2], err_pipe[2];
    REQUIRE(::pipe(out_pipe) == 0);
    REQUIRE(::pipe(err_pipe) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        ::close(out_pipe[1]);
        ::close(err_pipe[1]);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    Outcome outcome;
    outcome.out = read_all(out_pipe[0]);  // outputs are small: no deadlock on stderr
    outcome.err = read_all(err_pipe[0]);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status)) outcome.status = WEXITSTATUS(status);
    return outcome;
}

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

// Reads what is available on `fd` within `timeout_ms`.
std::string read_some(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return {};
    char buffer[4096];
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

// `contactd serve` in a child process, its output in a log file.
class ServeProcess {
  public:
    ServeProcess(const std::string& db, const std::filesystem::path& log,
                 const std::string& host = "127.0.0.1",
                 const std::vector<std::string>& extra_env = {})
        : port_(free_port()) {
        std::vector<std::string> args = {
            CONTACTD_BINARY, "serve", "--listen", host + ":" + std::to_string(port_), "--db", db};
        auto env = clean_environment();
        env.insert(env.end(), extra_env.begin(), extra_env.end());
        auto argv = pointers(args);
        auto envp = pointers(env);
        const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        REQUIRE(log_fd >= 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::dup2(log_fd, 1);
            ::dup2(log_fd, 2);
            ::close(log_fd);
            ::execve(argv[0], argv.data(), envp.data());
            ::_exit(127);
        }
        ::close(log_fd);
    }
    ~ServeProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    int port() const { return port_; }
    pid_t pid() const { return pid_; }

    // True once /healthz answers 200 (within `seconds`).
    bool wait_healthy(int seconds) {
        const auto deadline = Clock::now() + std::chrono::seconds(seconds);
        while (Clock::now() < deadline) {
            httplib::Client client("127.0.0.1", port_);
            client.set_connection_timeout(1);
            if (auto r = client.Get("/healthz"); r && r->status == 200) return true;
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }

    // Sends `signal`, waits up to `limit`; the exit status (-1 if it did not exit
    // normally) and how long it took. Kills it if it overstays.
    std::pair<int, Clock::duration> stop(int signal, std::chrono::seconds limit) {
        const auto started = Clock::now();
        ::kill(pid_, signal);
        int status = 0;
        while (Clock::now() - started < limit) {
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, Clock::now() - started};
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return {-1, Clock::now() - started};  // the destructor kills it
    }

  private:
    int port_;
    pid_t pid_ = -1;
};

}  // namespace

TEST_SUITE("process") {
    TEST_CASE("process: apikey create prints only the key, list shows it, revoke revokes it") {
        TempDir dir;
        const auto db = (dir.path() / "keys.db").string();

        const auto created = run_contactd(
            {"apikey", "create", "--type", "public", "--name", "mobile app", "--db", db});
        CHECK(created.status == 0);
        CAPTURE(created.err);
        REQUIRE(std::regex_match(created.out, std::regex("^pk_[A-Za-z0-9_-]{43}\n$")));
        const std::string key = created.out.substr(0, created.out.size() - 1);

        const auto secret = run_contactd({"apikey", "create", "--type", "secret", "--db", db});
        CHECK(secret.status == 0);
        CHECK(std::regex_match(secret.out, std::regex("^sk_[A-Za-z0-9_-]{43}\n$")));

        const auto listed = run_contactd({"apikey", "list", "--db", db});
        CHECK(listed.status == 0);
        CAPTURE(listed.out);
        std::string id;
        {
            std::istringstream lines(listed.out);
            std::string line;
            while (std::getline(lines, line)) {
                if (line.find(key.substr(0, 10)) != std::string::npos)
                    id = line.substr(0, line.find(' '));
            }
        }
        REQUIRE_FALSE(id.empty());
        CHECK(listed.out.find("public") != std::string::npos);
        CHECK(listed.out.find("secret") != std::string::npos);
        CHECK(listed.out.find("mobile app") != std::string::npos);
        CHECK(listed.out.find(key) == std::string::npos);  // the key itself is never shown again
        CHECK(listed.out.find("active") != std::string::npos);
        // The portal's own public key is listed too (made at each start, never stored).
        CHECK(listed.out.find("portal") != std::string::npos);

        const auto revoked = run_contactd({"apikey", "revoke", id, "--db", db});
        CHECK(revoked.status == 0);
        const auto after = run_contactd({"apikey", "list", "--db", db});
        CHECK(after.out.find("revoked") != std::string::npos);
        CHECK(run_contactd({"apikey", "revoke", id, "--db", db}).status != 0);  // already revoked
        CHECK(run_contactd({"apikey", "revoke", "no-such-id", "--db", db}).status != 0);

        // Only the hash is in the database.
        CHECK(dump_database(db).find(key) == std::string::npos);
    }

    TEST_CASE("process: bad command lines exit non-zero with nothing on stdout") {
        TempDir dir;
        const auto db = (dir.path() / "bad.db").string();
        for (const std::vector<std::string>& args :
             {std::vector<std::string>{"apikey", "create", "--type", "weird", "--db", db},
              std::vector<std::string>{"apikey", "create", "--db", db},
              std::vector<std::string>{"apikey", "--db", db},
              std::vector<std::string>{"frobnicate"},
              std::vector<std::string>{"serve", "--bogus", "1"},
              std::vector<std::string>{"migrate", "--db"}}) {
            const auto outcome = run_contactd(args);
            CAPTURE(args.front());
            CHECK(outcome.status != 0);
            CHECK(outcome.out.empty());
            CHECK_FALSE(outcome.err.empty());
        }
    }

    TEST_CASE("process: --help prints the usage and --version the CMake project version, exit 0") {
        for (const std::vector<std::string>& args :
             {std::vector<std::string>{"--help"}, std::vector<std::string>{"-h"},
              std::vector<std::string>{"serve", "--help"}}) {
            const auto outcome = run_contactd(args);
            CAPTURE(outcome.err);
            CHECK(outcome.status == 0);
            CHECK(outcome.out.rfind("usage: contactd", 0) == 0);
            CHECK(outcome.out.find("apikey create") != std::string::npos);
            CHECK(outcome.err.empty());
        }
        // The version CMakeLists.txt declares, read independently of the build.
        std::ifstream cmake(std::string(CONTACTD_SOURCE_DIR) + "/CMakeLists.txt");
        const std::string lists((std::istreambuf_iterator<char>(cmake)),
                                std::istreambuf_iterator<char>());
        std::smatch match;
        REQUIRE(
            std::regex_search(lists, match, std::regex(R"(project\(contactd VERSION ([0-9.]+))")));
        for (const char* flag : {"--version", "-V"}) {
            const auto outcome = run_contactd({flag});
            CHECK(outcome.status == 0);
            CHECK(outcome.out == "contactd " + match[1].str() + "\n");
            CHECK(outcome.err.empty());
        }
    }

    TEST_CASE("process: migrate applies the schema and exits 0, twice") {
        TempDir dir;
        const auto db = (dir.path() / "migrate.db").string();
        const auto first = run_contactd({"migrate", "--db", db});
        CAPTURE(first.err);
        CHECK(first.status == 0);
        const auto second = run_contactd({"migrate", "--db", db});
        CHECK(second.status == 0);
        SQLite::Database check(db, SQLite::OPEN_READONLY);
        CHECK(check.execAndGet("SELECT count(*) FROM schema_migrations").getInt() >= 1);
        CHECK(
            check
                .execAndGet("SELECT count(*) FROM schema_migrations WHERE name = '001_initial.sql'")
                .getInt() == 1);
        CHECK(check.tableExists("one_time_codes"));
    }

    TEST_CASE(
        "process: serve answers /healthz, honours CLI keys, and exits 0 on SIGTERM within 5 s with "
        "a keep-alive client") {
        TempDir dir;
        const auto db = (dir.path() / "serve.db").string();
        const auto created = run_contactd({"apikey", "create", "--type", "public", "--db", db});
        REQUIRE(created.status == 0);
        const std::string key = created.out.substr(0, created.out.size() - 1);

        ServeProcess server(db, dir.path() / "serve.log");
        REQUIRE(server.wait_healthy(20));
        httplib::Client client("127.0.0.1", server.port());
        const auto health = client.Get("/healthz");
        REQUIRE(health);
        CHECK(Json::parse(health->body) == Json{{"status", "ok"}});

        // The key made by the CLI works; once revoked (server running), it does not.
        const std::string body =
            Json{{"credentials", {{{"name", "EMAIL"}, {"value", "cli@example.com"}}}}}.dump();
        auto with_key = client.Post("/self-service/v1/contacts/request-otp", {{"api_key", key}},
                                    body, "application/json");
        REQUIRE(with_key);
        CHECK(with_key->status == 200);
        const auto listed = run_contactd({"apikey", "list", "--db", db});
        const std::string id = listed.out.substr(listed.out.find('\n') + 1, 36);
        REQUIRE(run_contactd({"apikey", "revoke", id, "--db", db}).status == 0);
        auto revoked = client.Post("/self-service/v1/contacts/request-otp", {{"api_key", key}},
                                   body, "application/json");
        REQUIRE(revoked);
        CHECK(revoked->status == 401);

        // A keep-alive connection, idle after one answered request.
        const int idle = connect_to(server.port());
        const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        ::send(idle, request.data(), request.size(), MSG_NOSIGNAL);
        CHECK(read_some(idle, 5000).rfind("HTTP/1.1 200", 0) == 0);

        const auto [status, took] = server.stop(SIGTERM, std::chrono::seconds(5));
        ::close(idle);
        CHECK(status == 0);
        CHECK(took < std::chrono::seconds(5));
        // The database was closed cleanly: the last connection's close folds the WAL back.
        CHECK_FALSE(std::filesystem::exists(db + "-wal"));
        SQLite::Database check(db, SQLite::OPEN_READONLY);
        CHECK(check.execAndGet("PRAGMA integrity_check").getString() == "ok");
    }

    TEST_CASE(
        "process: serve exits 0 on SIGINT within 5 s while a client is half-way through a "
        "request") {
        TempDir dir;
        const auto db = (dir.path() / "sigint.db").string();
        ServeProcess server(db, dir.path() / "sigint.log");
        REQUIRE(server.wait_healthy(20));
        // A slow client: headers begun, never finished.
        const int slow = connect_to(server.port());
        const std::string partial =
            "POST /self-service/v1/contacts/request-otp HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        ::send(slow, partial.data(), partial.size(), MSG_NOSIGNAL);
        // And an idle keep-alive one.
        const int idle = connect_to(server.port());
        const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        ::send(idle, request.data(), request.size(), MSG_NOSIGNAL);
        CHECK(read_some(idle, 5000).rfind("HTTP/1.1 200", 0) == 0);

        const auto [status, took] = server.stop(SIGINT, std::chrono::seconds(5));
        ::close(slow);
        ::close(idle);
        CHECK(status == 0);
        CHECK(took < std::chrono::seconds(5));
    }

    TEST_CASE("process: libcurl is mapped only into a server that sends email by SMTP") {
        const auto maps_curl = [](pid_t pid) {
            std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
            std::stringstream text;
            text << maps.rdbuf();
            return text.str().find("libcurl") != std::string::npos;
        };
        TempDir dir;
        {
            ServeProcess plain((dir.path() / "plain.db").string(), dir.path() / "plain.log");
            REQUIRE(plain.wait_healthy(20));
            CHECK_FALSE(maps_curl(plain.pid()));
        }
        ServeProcess smtp(
            (dir.path() / "smtp.db").string(), dir.path() / "smtp.log", "127.0.0.1",
            {"CONTACTD_SMTP_URL=smtp://127.0.0.1:1", "CONTACTD_SMTP_FROM=codes@example.com"});
        REQUIRE(smtp.wait_healthy(20));
        CHECK(maps_curl(smtp.pid()));
    }

    TEST_CASE(
        "process: an unknown country in CONTACTD_SMS_COUNTRIES stops the start, saying which") {
        TempDir dir;
        const auto config = (dir.path() / "contactd.conf").string();
        std::ofstream(config) << "CONTACTD_SMS_COUNTRIES=CYP,XYZ\n";
        const auto outcome = run_contactd({"serve", "--config", config, "--listen", "127.0.0.1:0",
                                           "--db", (dir.path() / "c.db").string()});
        CHECK(outcome.status != 0);
        CHECK(outcome.err.find("CONTACTD_SMS_COUNTRIES") != std::string::npos);
        CHECK(outcome.err.find("XYZ") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(dir.path() / "c.db"));  // stopped before anything
    }

    TEST_CASE(
        "process: keys rotate makes a new signing kid, and old tokens and codes issued before "
        "it still work") {
        TempDir dir;
        const auto db = dir.path() / "rotate.db";
        const std::string contacts = kSelfService + "/contacts";
        auto kid_of_token = [](const std::string& token) {
            return Json::parse(b64url_decode(token.substr(0, token.find('.'))))["kid"]
                .get<std::string>();
        };
        std::string old_access, old_kid, auth_otp, code, new_kid;
        {
            TestServer before(db, {});
            const auto s = sign_up_by_phone(before, "99478230");
            old_access = s.access_token;
            old_kid = kid_of_token(old_access);
            // A code issued before the rotation, validated after it.
            before.clock().advance(60);
            const auto requested =
                before.post(contacts + "/request-otp",
                            {{"credentials", {{{"name", "PHONE"}, {"value", "+35799478230"}}}}});
            REQUIRE(requested->status == 200);
            auth_otp = json_of(requested)["auth_otp"];
            code = before.last_code_for("+35799478230");

            // Rotated while this server runs: it keeps its keys until restarted.
            const auto rotated = run_contactd({"keys", "rotate", "--db", db.string()});
            CAPTURE(rotated.err);
            REQUIRE(rotated.status == 0);
            std::smatch m;
            REQUIRE(
                std::regex_search(rotated.out, m, std::regex("new signing key ([0-9a-f]{16})")));
            new_kid = m[1];
            CHECK(new_kid != old_kid);
            CHECK(rotated.out.find("still verifying " + old_kid) != std::string::npos);
            CHECK(rotated.out.find("restart") != std::string::npos);
            CHECK(before.get(contacts + "/me", old_access)->status == 200);
        }
        {
            TestServer after(db, {});
            after.clock().advance(120);
            CHECK(after.get(contacts + "/me", old_access)->status == 200);
            const auto validated = validate_otp(after, auth_otp, code);
            REQUIRE(validated);
            REQUIRE_MESSAGE(validated->status == 200, validated->body);
            const std::string new_access = json_of(validated)["access_token"];
            CHECK(kid_of_token(new_access) == new_kid);
            CHECK(after.get(contacts + "/me", new_access)->status == 200);
            // A kid the server does not hold: 401, not EXPIREDTOKEN.
            std::string forged_header =
                b64url(Json{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", "0000000000000000"}}.dump());
            const auto rest = new_access.substr(new_access.find('.'));
            CHECK(check_error(after.get(contacts + "/me", forged_header + rest), 401)["error"] ==
                  "CRM.EXCEPTIONS.NOTAUTHENTICATEDEXCEPTION");
        }
        // With the secret in the configuration there is nothing in the database to rotate.
        const auto conf = dir.path() / "contactd.conf";
        std::ofstream(conf) << "CONTACTD_JWT_SECRET=" << std::string(40, 's') << "\n";
        const auto refused =
            run_contactd({"keys", "rotate", "--db", db.string(), "--config", conf.string()});
        CHECK(refused.status != 0);
        CHECK(refused.out.empty());
        CHECK(refused.err.find("CONTACTD_JWT_SECRET") != std::string::npos);
    }

    TEST_CASE(
        "process: a signing secret shorter than 32 bytes stops the start, naming the setting") {
        TempDir dir;
        const auto db = (dir.path() / "short.db").string();
        const auto conf = dir.path() / "contactd.conf";
        for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
                 {"CONTACTD_JWT_SECRET", std::string(31, 's')},
                 {"CONTACTD_JWT_PREVIOUS_SECRETS",
                  std::string(40, 'p') + "," + std::string(31, 'p')}}) {
            CAPTURE(name);
            std::ofstream(conf) << name << "=" << value << "\n";
            const auto outcome = run_contactd(
                {"serve", "--listen", "127.0.0.1:0", "--db", db, "--config", conf.string()});
            CHECK(outcome.status != 0);
            CHECK(outcome.err.find(name) != std::string::npos);
            CHECK(outcome.err.find("32") != std::string::npos);
            CHECK(outcome.out.find("listening") == std::string::npos);
        }
    }

    TEST_CASE(
        "process: development delivery refuses a non-loopback listen address unless "
        "CONTACTD_DEVELOPMENT=on") {
        TempDir dir;
        const auto db = (dir.path() / "dev.db").string();
        const auto refused = run_contactd(
            {"serve", "--listen", "0.0.0.0:" + std::to_string(free_port()), "--db", db});
        CAPTURE(refused.err);
        CHECK(refused.status != 0);
        CHECK(refused.out.empty());
        CHECK(refused.err.find("0.0.0.0") != std::string::npos);
        CHECK(refused.err.find("CONTACTD_DEVELOPMENT=on") != std::string::npos);
        CHECK(refused.err.find("CONTACTD_SMS_WEBHOOK_URL") != std::string::npos);
        CHECK(refused.err.find("loopback") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(db));  // refused before anything was created

        const auto log = dir.path() / "dev.log";
        {
            ServeProcess server(db, log, "0.0.0.0", {"CONTACTD_DEVELOPMENT=on"});
            REQUIRE(server.wait_healthy(20));
            CHECK(server.stop(SIGTERM, std::chrono::seconds(5)).first == 0);
        }
        std::ifstream in(log);
        const std::string output((std::istreambuf_iterator<char>(in)),
                                 std::istreambuf_iterator<char>());
        CAPTURE(output);
        CHECK(output.find("Development delivery is on") != std::string::npos);
        CHECK(output.find("only to loopback clients") != std::string::npos);

        // On loopback it starts without the switch, saying the same.
        ServeProcess local(db, dir.path() / "local.log");
        CHECK(local.wait_healthy(20));
    }

    TEST_CASE("process: the CLI's apikey create and revoke are security events") {
        TempDir dir;
        const auto db = (dir.path() / "events.db").string();
        const auto created = run_contactd({"apikey", "create", "--type", "secret", "--db", db});
        REQUIRE(created.status == 0);
        const auto listed = run_contactd({"apikey", "list", "--db", db});
        const std::string id = listed.out.substr(listed.out.find('\n') + 1, 36);
        REQUIRE(run_contactd({"apikey", "revoke", id, "--db", db}).status == 0);
        SQLite::Database check(db, SQLite::OPEN_READONLY);
        SQLite::Statement events(
            check, "SELECT type, detail FROM security_events ORDER BY created_at, rowid");
        std::vector<std::string> types;
        while (events.executeStep()) {
            types.push_back(events.getColumn(0).getString());
            const std::string detail = events.getColumn(1).getString();
            CHECK(detail.find(id) != std::string::npos);
            CHECK(detail.find(created.out.substr(0, created.out.size() - 1)) == std::string::npos);
        }
        CHECK(types == std::vector<std::string>{"APIKEY_CREATED", "APIKEY_REVOKED"});
    }
}
