#include "util/countries.h"

#include "util/strings.h"

namespace contactd {

std::optional<std::string> alpha2_from_alpha3(std::string_view alpha3) {
    const std::string wanted = to_upper(alpha3);
    for (const auto& country : iso3166_countries()) {
        if (wanted == country.alpha3) return std::string(country.alpha2);
    }
    return std::nullopt;
}

std::optional<std::string> alpha3_from_alpha2(std::string_view alpha2) {
    const std::string wanted = to_upper(alpha2);
    for (const auto& country : iso3166_countries()) {
        if (wanted == country.alpha2) return std::string(country.alpha3);
    }
    return std::nullopt;
}

}  // namespace contactd
