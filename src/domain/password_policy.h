#pragma once
// Which passwords contactd accepts when one is set (sign-in checks nothing but the hash).
//
// - 12 to 128 characters, counted in Unicode code points after NFC normalization
//   (crypto::normalize_password); never truncated. Invalid UTF-8 is refused.
// - Not a very common password: the list is Openwall's password.lst as Debian's
//   john-data ships it (embedded at build time), compared case-insensitively. As every
//   entry but one is shorter than 12 characters, a password is also refused when it is
//   two entries put together ("password1234", "qwertyqwerty") or one piece repeated
//   ("abcabcabcabc").
// - Not the email address it signs in with.
// Failures are Error(InvalidValue) naming "password".
#include <optional>
#include <string>
#include <string_view>

namespace contactd::domain {

inline constexpr std::size_t kPasswordMinLength = 12;
inline constexpr std::size_t kPasswordMaxLength = 128;

// Checks `password` and returns its normalized form, the one to hash.
std::string accept_new_password(std::string_view password,
                                std::optional<std::string_view> email = std::nullopt);

// True when `password` (any case) is on the common list or made of it as above.
bool is_common_password(std::string_view password);

}  // namespace contactd::domain
