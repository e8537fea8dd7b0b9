#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace contactd::crypto {

std::string to_hex(std::string_view bytes);  // lowercase
// RFC 4648 section 4 (standard alphabet, '=' padding), as MIME bodies use it.
std::string base64_encode(std::string_view bytes);
// RFC 4648 section 5, without padding.
std::string base64url_encode(std::string_view bytes);
// Accepts unpadded base64url only; nullopt on any other character or a bad length.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace contactd::crypto
