#include "util/url.h"

namespace contactd {

SplitUrl split_url(std::string_view url) {
    const auto scheme_end = url.find("://");
    const auto path_start =
        url.find('/', scheme_end == std::string_view::npos ? 0 : scheme_end + 3);
    SplitUrl out;
    out.origin =
        std::string(path_start == std::string_view::npos ? url : url.substr(0, path_start));
    out.path =
        path_start == std::string_view::npos ? std::string() : std::string(url.substr(path_start));
    while (!out.path.empty() && out.path.back() == '/') out.path.pop_back();
    return out;
}

std::string percent_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (unsigned char c : text) {
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0x0F]);
        }
    }
    return out;
}

}  // namespace contactd
