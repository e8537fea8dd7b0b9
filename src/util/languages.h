#pragma once
// ISO 639-1 language codes ("el", "en"), generated at build time from Debian's
// iso-codes (cmake/languages.cmake), so the list is the real one and not hand-typed.
// Pure functions; thread-safe.
#include <span>
#include <string_view>

namespace contactd {

// Every two-letter code, lower case.
std::span<const char* const> iso639_1_languages();

// True for a two-letter ISO 639-1 code, exactly as listed (lower case).
bool is_iso639_1(std::string_view code);

}  // namespace contactd
