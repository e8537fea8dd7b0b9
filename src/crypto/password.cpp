#include "crypto/password.h"

#include <argon2.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <stdexcept>

#include "crypto/digest.h"
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

// argon2's memory, kept by each hashing thread between hashes (password.h). Any other
// thread (the constructor's dummy hash) gives it back at once.
thread_local bool t_keeps_memory = false;
thread_local std::uint8_t* t_memory = nullptr;
thread_local std::size_t t_memory_bytes = 0;

void drop_memory() {
    std::free(t_memory);
    t_memory = nullptr;
    t_memory_bytes = 0;
}

int lend_memory(std::uint8_t** memory, std::size_t bytes) {
    if (t_memory_bytes < bytes) {
        drop_memory();
        t_memory = static_cast<std::uint8_t*>(std::malloc(bytes));
        if (!t_memory) return ARGON2_MEMORY_ALLOCATION_ERROR;
        t_memory_bytes = bytes;
    }
    *memory = t_memory;
    return ARGON2_OK;
}

void take_back_memory(std::uint8_t*, std::size_t) {
    // argon2 has wiped it (its clear_internal_memory) before this is called.
    if (!t_keeps_memory) drop_memory();
}

std::string argon2id(const Argon2Params& p, std::string_view password, std::string_view salt,
                     std::size_t hash_bytes) {
    std::string out(hash_bytes, '\0');
    argon2_context ctx{};
    ctx.out = reinterpret_cast<std::uint8_t*>(out.data());
    ctx.outlen = static_cast<std::uint32_t>(out.size());
    // Not written to: no ARGON2_FLAG_CLEAR_PASSWORD.
    ctx.pwd = reinterpret_cast<std::uint8_t*>(const_cast<char*>(password.data()));
    ctx.pwdlen = static_cast<std::uint32_t>(password.size());
    ctx.salt = reinterpret_cast<std::uint8_t*>(const_cast<char*>(salt.data()));
    ctx.saltlen = static_cast<std::uint32_t>(salt.size());
    ctx.t_cost = p.iterations;
    ctx.m_cost = p.memory_kib;
    ctx.lanes = p.parallelism;
    ctx.threads = p.parallelism;
    ctx.version = ARGON2_VERSION_13;
    ctx.allocate_cbk = lend_memory;
    ctx.free_cbk = take_back_memory;
    ctx.flags = ARGON2_DEFAULT_FLAGS;
    const int rc = argon2_ctx(&ctx, Argon2_id);
    if (rc != ARGON2_OK)
        throw std::runtime_error(std::string("argon2id: ") + argon2_error_message(rc));
    return out;
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
    : options_(options), prefix_(phc_prefix(options.params)) {
    if (options_.max_concurrent < 1 || options_.max_waiting < 0) {
        throw std::invalid_argument("PasswordHasher needs at least one concurrent hash");
    }
    dummy_.params = options_.params;
    dummy_.salt = random_bytes(kSaltBytes);
    dummy_.hash = argon2id(dummy_.params, random_token(32), dummy_.salt, kHashBytes);
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
    t_keeps_memory = true;
    const auto has_work = [this] { return stopping_ || !jobs_.empty(); };
    std::unique_lock lock(pool_mutex_);
    while (true) {
        if (!pool_work_.wait_for(lock, kKeepMemory, has_work)) {
            drop_memory();
            pool_work_.wait(lock, has_work);
        }
        if (jobs_.empty()) {  // stopping, nothing left
            drop_memory();
            return;
        }
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
    return format_phc(options_.params, salt, argon2id(options_.params, password, salt, kHashBytes));
}

bool PasswordHasher::matches(const Argon2Phc& stored, std::string_view password) const {
    return constant_time_equals(argon2id(stored.params, password, stored.salt, stored.hash.size()),
                                stored.hash);
}

std::string PasswordHasher::hash(std::string_view password) const {
    const auto slot = acquire();
    const auto salt = random_bytes(kSaltBytes);
    std::string out;
    on_pool([&] { out = encode(password, salt); });
    return out;
}

bool PasswordHasher::verify(const std::string& phc, std::string_view password) const {
    // Only our own kind of string (argon2id, version 19), at whatever cost it names.
    const auto stored = parse_phc(phc);
    if (!stored) return false;
    const auto slot = acquire();
    bool ok = false;
    on_pool([&] { ok = matches(*stored, password); });
    return ok;
}

void PasswordHasher::verify_dummy(std::string_view password) const {
    const auto slot = acquire();
    on_pool([&] { (void)matches(dummy_, password); });
}

bool PasswordHasher::needs_rehash(std::string_view phc) const {
    return phc.rfind(prefix_, 0) != 0;
}

}  // namespace contactd::crypto
