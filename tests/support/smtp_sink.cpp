#include "support/smtp_sink.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace contactd::test {
namespace {

constexpr const char* kScript = R"PY(
import email, email.policy, json, os, signal, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

outdir, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
count = [0]

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login.decode() == user and auth_data.password.decode() == password
    # handled=False: aiosmtpd itself answers 535 to a refused login
    return AuthResult(success=ok, handled=False, auth_data=auth_data)

class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split('@')[0]
        if local.startswith('reject'):
            return '550 5.1.1 mailbox unavailable'
        if local.startswith('later'):
            return '451 4.3.0 try again later'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        count[0] += 1
        n = count[0]
        raw = envelope.original_content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        parts = []
        for part in msg.walk():
            if part.is_multipart():
                continue
            parts.append({'content_type': part.get_content_type(), 'charset': part.get_content_charset(),
                          'cte': part.get('Content-Transfer-Encoding'), 'text': part.get_content()})
        auth = session.auth_data
        info = {'mail_from': envelope.mail_from, 'rcpt_tos': envelope.rcpt_tos,
                'login': auth.login.decode() if auth else None,
                'password': auth.password.decode() if auth else None,
                'subject': str(msg['subject']), 'from': str(msg['from']), 'to': str(msg['to']),
                'from_display_name': msg['from'].addresses[0].display_name if msg['from'] else None,
                'date': str(msg['date']), 'message_id': str(msg['message-id']),
                'mime_version': str(msg['mime-version']), 'content_type': msg.get_content_type(),
                'parts': parts, 'defects': [repr(d) for d in msg.defects] +
                [repr(d) for p in msg.walk() for d in p.defects]}
        with open(os.path.join(outdir, '%d.eml' % n), 'wb') as f:
            f.write(raw)
        tmp = os.path.join(outdir, '%d.json.tmp' % n)
        with open(tmp, 'w') as f:
            json.dump(info, f)
        os.rename(tmp, os.path.join(outdir, '%d.json' % n))
        return '250 2.0.0 queued as %d' % n

kwargs = {}
if user:
    kwargs = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
controller = Controller(Handler(), hostname='127.0.0.1', port=port, **kwargs)
controller.start()
open(os.path.join(outdir, 'ready'), 'w').close()
signal.signal(signal.SIGTERM, lambda *a: (controller.stop(), os._exit(0)))
while True:
    time.sleep(3600)
)PY";

std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string python() {
    // Debian's interpreter, where python3-aiosmtpd is installed (a PATH python3 may be
    // another installation without it).
    return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

}  // namespace

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot bind a free port");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

SmtpSink::SmtpSink() : SmtpSink(Options{}) {}

SmtpSink::SmtpSink(Options options) : options_(std::move(options)) {
    port_ = options_.port ? options_.port : free_port();
    std::ofstream(dir_.path() / "sink.py") << kScript;
    start();
}

SmtpSink::~SmtpSink() {
    stop();
}

void SmtpSink::start() {
    if (pid_ > 0) return;
    std::filesystem::remove(dir_.path() / "ready");
    const std::string exe = python();
    const std::string script = (dir_.path() / "sink.py").string();
    const std::string out = dir_.path().string();
    const std::string port = std::to_string(port_);
    const std::string user = options_.username.value_or("");
    const std::string password = options_.password.value_or("");
    const std::string log_path = (dir_.path() / "sink.log").string();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        // aiosmtpd's warnings (AUTH without TLS is deliberate here) go to a log file.
        const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (log >= 0) {
            ::dup2(log, 1);
            ::dup2(log, 2);
        }
        ::execl(exe.c_str(), exe.c_str(), script.c_str(), out.c_str(), port.c_str(), user.c_str(),
                password.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    for (int i = 0; i < 1000; ++i) {  // at most 10 s
        if (std::filesystem::exists(dir_.path() / "ready")) return;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error(
                "the aiosmtpd test server exited (is python3-aiosmtpd installed?): " +
                read_all(log_path));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stop();
    throw std::runtime_error("the aiosmtpd test server did not start");
}

void SmtpSink::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 300; ++i) {  // at most 3 s, then SIGKILL
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

std::vector<ReceivedMail> SmtpSink::messages() const {
    std::vector<ReceivedMail> out;
    for (int n = 1;; ++n) {
        const auto json = dir_.path() / (std::to_string(n) + ".json");
        if (!std::filesystem::exists(json)) break;
        out.push_back({read_all(dir_.path() / (std::to_string(n) + ".eml")),
                       nlohmann::json::parse(read_all(json))});
    }
    return out;
}

std::vector<ReceivedMail> SmtpSink::wait_for(std::size_t count,
                                             std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto received = messages();
        if (received.size() >= count || std::chrono::steady_clock::now() >= deadline)
            return received;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace contactd::test
