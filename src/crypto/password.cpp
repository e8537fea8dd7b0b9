#include "crypto/password.h"

#include <argon2.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <stdexcept>

#include "crypto/random.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::crypto {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

Error busy() {
    return rate_limited("The server is busy; try again in a moment", 1);
}

}  // namespace

std::optional<std::string> normalize_password(std::string_view password) {
    if (!utf8_length(password)) return std::nullopt;
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status) || nfc == nullptr)
        throw std::runtime_error("ICU NFC normalizer unavailable");
    const auto text = icu::UnicodeString::fromUTF8(
        icu::StringPiece(password.data(), static_cast<int32_t>(password.size())));
    if (nfc->isNormalized(text, status) && U_SUCCESS(status)) return std::string(password);
    status = U_ZERO_ERROR;
    const auto normalized = nfc->normalize(text, status);
    if (U_FAILURE(status)) throw std::runtime_error("ICU NFC normalization failed");
    std::string out;
    normalized.toUTF8String(out);
    return out;
}

PasswordHasher::PasswordHasher(PasswordHasherOptions options)
    : options_(options),
      prefix_("$argon2id$v=19$m=" + std::to_string(options.params.memory_kib) +
              ",t=" + std::to_string(options.params.iterations) +
              ",p=" + std::to_string(options.params.parallelism) + "$") {
    if (options_.max_concurrent < 1 || options_.max_waiting < 0) {
        throw std::invalid_argument("PasswordHasher needs at least one concurrent hash");
    }
    dummy_ = encode(random_token(32), random_bytes(kSaltBytes));
    for (int i = 0; i < options_.max_concurrent; ++i) pool_.emplace_back([this] { serve_pool(); });
}

PasswordHasher::~PasswordHasher() {
    {
        std::lock_guard lock(pool_mutex_);
        stopping_ = true;
    }
    pool_work_.notify_all();
    for (auto& thread : pool_) thread.join();
}

void PasswordHasher::serve_pool() {
    // Linux gives each thread its own nice value; lowering it needs no privilege.
    (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kHashNice);
    std::unique_lock lock(pool_mutex_);
    while (true) {
        pool_work_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping, nothing left
        Job* job = jobs_.front();
        jobs_.pop_front();
        lock.unlock();
        try {
            job->run();
        } catch (...) {
            job->error = std::current_exception();
        }
        lock.lock();
        // Under the lock: the waiting caller (who owns *job) cannot see it done and
        // return before this thread has let go of it.
        job->done = true;
        job_done_.notify_all();
    }
}

void PasswordHasher::on_pool(const std::function<void()>& run) const {
    Job job{run, nullptr, false};
    std::unique_lock lock(pool_mutex_);
    jobs_.push_back(&job);
    pool_work_.notify_one();
    job_done_.wait(lock, [&] { return job.done; });
    if (job.error) std::rethrow_exception(job.error);
}

PasswordHasher::Slot::~Slot() {
    if (owner_) owner_->release();
}

PasswordHasher::Slot PasswordHasher::acquire() const {
    std::unique_lock lock(mutex_);
    if (running_ >= options_.max_concurrent) {
        if (waiting_ >= options_.max_waiting) throw busy();
        ++waiting_;
        const bool got = freed_.wait_for(lock, options_.max_wait,
                                         [this] { return running_ < options_.max_concurrent; });
        --waiting_;
        if (!got) throw busy();
    }
    ++running_;
    peak_ = std::max(peak_, running_);
    return Slot(this);
}

void PasswordHasher::refuse_if_full() const {
    std::lock_guard lock(mutex_);
    if (running_ >= options_.max_concurrent && waiting_ >= options_.max_waiting) throw busy();
}

void PasswordHasher::release() const {
    {
        std::lock_guard lock(mutex_);
        --running_;
    }
    freed_.notify_one();
}

int PasswordHasher::peak_concurrent() const {
    std::lock_guard lock(mutex_);
    return peak_;
}

std::string PasswordHasher::encode(std::string_view password, const std::string& salt) const {
    const auto& p = options_.params;
    std::string encoded(
        argon2_encodedlen(p.iterations, p.memory_kib, p.parallelism,
                          static_cast<uint32_t>(salt.size()), kHashBytes, Argon2_id),
        '\0');
    const int rc = argon2id_hash_encoded(p.iterations, p.memory_kib, p.parallelism, password.data(),
                                         password.size(), salt.data(), salt.size(), kHashBytes,
                                         encoded.data(), encoded.size());
    if (rc != ARGON2_OK)
        throw std::runtime_error(std::string("argon2id_hash_encoded: ") + argon2_error_message(rc));
    encoded.resize(encoded.find('\0'));
    return encoded;
}

std::string PasswordHasher::hash(std::string_view password) const {
    const auto slot = acquire();
    const auto salt = random_bytes(kSaltBytes);
    std::string out;
    on_pool([&] { out = encode(password, salt); });
    return out;
}

bool PasswordHasher::verify(const std::string& phc, std::string_view password) const {
    // Only our own kind of string: argon2id_verify would otherwise accept any cost the
    // stored string names.
    if (phc.rfind("$argon2id$", 0) != 0) return false;
    const auto slot = acquire();
    bool ok = false;
    on_pool(
        [&] { ok = argon2id_verify(phc.c_str(), password.data(), password.size()) == ARGON2_OK; });
    return ok;
}

void PasswordHasher::verify_dummy(std::string_view password) const {
    const auto slot = acquire();
    on_pool([&] { (void)argon2id_verify(dummy_.c_str(), password.data(), password.size()); });
}

bool PasswordHasher::needs_rehash(std::string_view phc) const {
    return phc.rfind(prefix_, 0) != 0;
}

}  // namespace contactd::crypto
