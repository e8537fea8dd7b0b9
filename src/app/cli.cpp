#include "app/cli.h"

#include <pthread.h>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/app.h"
#include "app/config.h"
#include "app/key_material.h"
#include "domain/security_events.h"
#include "storage/sqlite/backup.h"
#include "util/heap.h"
#include "util/log.h"

namespace contactd {
namespace {

#ifndef CONTACTD_VERSION
#define CONTACTD_VERSION "unknown"  // CMakeLists.txt passes the project's version
#endif

constexpr const char* kUsage =
    "usage: contactd [serve] [--listen HOST:PORT] [--db PATH] [--config FILE]\n"
    "       contactd --help | --version\n"
    "       contactd migrate [--db PATH] [--config FILE]\n"
    "       contactd apikey create --type public|secret [--name NAME] [--db PATH]\n"
    "       contactd apikey list [--db PATH]\n"
    "       contactd apikey revoke ID [--db PATH]\n"
    "       contactd keys rotate [--db PATH] [--config FILE]\n"
    "       contactd backup [--db PATH] [--config FILE] OUT\n"
    "\n"
    "keys rotate makes a new access-token signing key in the database (when\n"
    "CONTACTD_JWT_SECRET is not set) and keeps the old ones verifying for 25 hours;\n"
    "restart contactd to sign with the new key.\n"
    "\n"
    "backup writes a consistent copy of the database (contactd may be running and\n"
    "writing) to OUT, mode 0600, through a temporary file renamed when complete.\n";

struct Arguments {
    std::vector<std::string> words;            // command words and positional arguments
    std::map<std::string, std::string> flags;  // --name value
};

Arguments parse_arguments(int argc, char** argv) {
    Arguments args;
    for (int i = 1; i < argc; ++i) {
        std::string word = argv[i];
        if (word.rfind("--", 0) == 0) {
            std::string name = word.substr(2);
            std::string value;
            if (const auto eq = name.find('='); eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                throw std::invalid_argument("--" + name + " needs a value");
            }
            args.flags[name] = value;
        } else {
            args.words.push_back(word);
        }
    }
    return args;
}

void check_flags(const Arguments& args, std::initializer_list<const char*> allowed) {
    for (const auto& [name, value] : args.flags) {
        bool known = false;
        for (const char* a : allowed) known = known || name == a;
        if (!known) throw std::invalid_argument("unknown option --" + name);
    }
}

std::map<std::string, std::string> config_flags(const Arguments& args) {
    std::map<std::string, std::string> out;
    for (const char* name : {"listen", "db", "config"}) {
        if (auto it = args.flags.find(name); it != args.flags.end()) out[name] = it->second;
    }
    return out;
}

int serve(const Arguments& args) {
    check_flags(args, {"listen", "db", "config"});
    const Config config = load_config(config_flags(args));
    // One arena per core and one more (util/heap.h).
    heap::limit_arenas(static_cast<int>(std::max(1U, std::thread::hardware_concurrency())) + 1);
    heap::map_large_blocks(256 * 1024);
    heap::keep_free_pages(8 * 1024 * 1024);  // until the idle trim (app.cpp)

    // Signals are taken by one thread with sigwait; every other thread blocks them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    SystemClock clock;
    App app(config, clock);
    if (app.api_keys().list().empty()) {
        const auto pub = app.api_keys().create(domain::ApiKeyType::Public, "default public");
        const auto sec = app.api_keys().create(domain::ApiKeyType::Secret, "default secret");
        std::printf(
            "First start: created API keys (shown once, stored only hashed):\n"
            "  public (self-service): %s\n  secret (back office):  %s\n",
            pub.key.c_str(), sec.key.c_str());
    }
    const int port = app.start();
    std::printf("contactd listening on http://%s:%d/  (database %s, %s delivery)\n",
                config.listen_host.c_str(), port, config.db_path.c_str(),
                config.development_delivery() ? "development" : "configured");
    if (config.development_delivery()) {
        std::printf(
            "Development delivery is on (no SMS or SMTP channel): codes appear in this log and "
            "in the development inbox, which answers only to loopback clients.\n"
            "Open http://%s:%d/ in a browser on this machine.\n",
            http::is_loopback_host(config.listen_host) ? config.listen_host.c_str() : "127.0.0.1",
            port);
        if (!http::is_loopback_host(config.listen_host)) {
            log::warn("CONTACTD_DEVELOPMENT=on: development delivery on " + config.listen_host +
                      ", which other machines can reach");
        }
    }
    std::fflush(stdout);

    std::thread watcher([&app, signals] {
        int received = 0;
        sigwait(&signals, &received);
        log::info("signal " + std::to_string(received) + ": finishing in-flight requests");
        app.stop();
    });
    app.serve();
    // serve() also returns if the listener fails; wake the watcher so it can be joined.
    pthread_kill(watcher.native_handle(), SIGTERM);
    watcher.join();
    log::info("stopped");
    return 0;
}

int migrate(const Arguments& args) {
    check_flags(args, {"db", "config"});
    const Config config = load_config(config_flags(args));
    open_store(config);
    std::printf("database %s is up to date\n", config.db_path.c_str());
    return 0;
}

int apikey(const Arguments& args) {
    check_flags(args, {"db", "config", "type", "name"});
    if (args.words.size() < 2) throw std::invalid_argument("apikey needs create, list or revoke");
    const Config config = load_config(config_flags(args));
    auto store = open_store(config);
    SystemClock clock;
    domain::SecurityEvents events(*store, clock);
    domain::ApiKeyService keys(*store, clock, events);
    const std::string& action = args.words[1];
    if (action == "create") {
        const auto type_flag = args.flags.find("type");
        const auto type = type_flag == args.flags.end()
                              ? std::nullopt
                              : domain::ApiKeyService::parse_type(type_flag->second);
        if (!type) throw std::invalid_argument("--type must be public or secret");
        const auto name = args.flags.count("name") ? args.flags.at("name") : std::string();
        std::printf("%s\n", keys.create(*type, name).key.c_str());
        return 0;
    }
    if (action == "list") {
        std::printf("%-36s  %-6s  %-12s  %-10s  %s\n", "ID", "TYPE", "PREFIX", "STATUS", "NAME");
        for (const auto& k : keys.list()) {
            std::printf("%-36s  %-6s  %-12s  %-10s  %s\n", k.id.c_str(), k.key_type.c_str(),
                        k.prefix.c_str(), k.revoked_at ? "revoked" : "active", k.name.c_str());
        }
        // The portal's public key is made at each start and held in memory only (it is
        // never stored, so there is nothing to leak or revoke: a restart replaces it).
        std::printf("%-36s  %-6s  %-12s  %-10s  %s\n", "portal", "public", "pk_portal_", "per-run",
                    "the web portal's key (made at each start, never stored)");
        return 0;
    }
    if (action == "revoke") {
        if (args.words.size() != 3) throw std::invalid_argument("apikey revoke needs the key's ID");
        if (!keys.revoke(args.words[2])) {
            std::fprintf(stderr, "no active API key with ID %s\n", args.words[2].c_str());
            return 1;
        }
        // A running server rereads the keys' generation at most this often: past it, none
        // accepts the key any more (domain/api_key_service.h).
        std::this_thread::sleep_for(2 * domain::ApiKeyService::kCacheRecheck);
        std::printf("revoked %s\n", args.words[2].c_str());
        return 0;
    }
    throw std::invalid_argument("unknown apikey command: " + action);
}

int keys(const Arguments& args) {
    check_flags(args, {"db", "config"});
    if (args.words.size() != 2 || args.words[1] != "rotate")
        throw std::invalid_argument("keys needs rotate");
    const Config config = load_config(config_flags(args));
    auto store = open_store(config);
    SystemClock clock;
    const domain::SecurityEvents events(*store, clock);
    const auto rotation = rotate_signing_key(*store, config, clock.now(), events);
    std::printf("new signing key %s\n", rotation.signing_kid.c_str());
    for (const auto& kid : rotation.verifying_kids)
        std::printf("still verifying %s\n", kid.c_str());
    for (const auto& kid : rotation.dropped_kids) std::printf("dropped %s\n", kid.c_str());
    std::printf("restart contactd to sign with the new key\n");
    return 0;
}

// --help and --version answer wherever they stand, before anything else is parsed.
std::optional<int> answer_help_or_version(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string word = argv[i];
        if (word == "--help" || word == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (word == "--version" || word == "-V") {
            std::printf("contactd %s\n", CONTACTD_VERSION);
            return 0;
        }
    }
    return std::nullopt;
}

// `contactd backup --db PATH OUT`: through SQLite's online backup API, never a file copy
// (a live database's latest transactions sit in its -wal file).
int backup(const Arguments& args) {
    check_flags(args, {"db", "config"});
    if (args.words.size() != 2) throw std::invalid_argument("backup needs the output file OUT");
    const Config config = load_config(config_flags(args));
    const auto report = storage::sqlite::backup_database(config.db_path, args.words[1]);
    std::printf("backed up %s to %s (%lld pages, %lld bytes)\n", config.db_path.c_str(),
                args.words[1].c_str(), static_cast<long long>(report.pages),
                static_cast<long long>(report.bytes));
    return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
    if (const auto answered = answer_help_or_version(argc, argv)) return *answered;
    try {
        const Arguments args = parse_arguments(argc, argv);
        const std::string command = args.words.empty() ? "serve" : args.words[0];
        if (command == "serve") return serve(args);
        if (command == "migrate") return migrate(args);
        if (command == "apikey") return apikey(args);
        if (command == "keys") return keys(args);
        if (command == "backup") return backup(args);
        if (command == "help" || command == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        throw std::invalid_argument("unknown command: " + command);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "contactd: %s\n%s", e.what(), kUsage);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "contactd: %s\n", e.what());
        return 1;
    }
}

}  // namespace contactd
