#pragma once
// ISO 3166-1 country codes, generated at build time from Debian's iso-codes.
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace contactd {

struct CountryCode {
    const char* alpha3;
    const char* alpha2;
};

const std::span<const CountryCode> iso3166_countries();

// "CYP" -> "CY"; case-insensitive; nullopt for an unknown code.
std::optional<std::string> alpha2_from_alpha3(std::string_view alpha3);
// "CY" -> "CYP"; case-insensitive; nullopt for an unknown code.
std::optional<std::string> alpha3_from_alpha2(std::string_view alpha2);

}  // namespace contactd
