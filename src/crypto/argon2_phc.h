#pragma once
// The PHC string of an argon2id hash, as libargon2 writes it:
// "$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>", salt and hash in
// unpadded standard base64. contactd runs argon2 itself (crypto/password.cpp keeps each
// hashing thread's memory), so it writes and reads these strings itself too.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace contactd::crypto {

struct Argon2Params {
    std::uint32_t memory_kib = 19456;
    std::uint32_t iterations = 2;
    std::uint32_t parallelism = 1;
};

struct Argon2Phc {
    Argon2Params params;
    std::string salt;  // raw bytes
    std::string hash;  // raw bytes
};

// "$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$": what every hash at `params` starts with.
std::string phc_prefix(const Argon2Params& params);
std::string format_phc(const Argon2Params& params, std::string_view salt, std::string_view hash);

// Only argon2id version 19 with argon2's own bounds (salt of 8 bytes or more, hash of 4
// or more, memory of 8 KiB per lane or more); nullopt for anything else.
std::optional<Argon2Phc> parse_phc(std::string_view phc);

}  // namespace contactd::crypto
