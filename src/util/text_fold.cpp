#include "util/text_fold.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <stdexcept>

namespace contactd {
namespace {

icu::UnicodeString nfc(const icu::UnicodeString& text) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* normalizer = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status)) throw std::runtime_error("ICU NFC normalizer unavailable");
    icu::UnicodeString out = normalizer->normalize(text, status);
    if (U_FAILURE(status)) throw std::runtime_error("ICU normalization failed");
    return out;
}

}  // namespace

std::string fold_case(std::string_view utf8) {
    bool ascii = true;
    for (const char c : utf8) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            ascii = false;
            break;
        }
    }
    std::string out;
    if (ascii) {  // the common case, without a round trip through UTF-16
        out.reserve(utf8.size());
        for (const char c : utf8) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
        return out;
    }
    auto text = nfc(icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), utf8.size())));
    text.foldCase(U_FOLD_CASE_DEFAULT);
    nfc(text).toUTF8String(out);
    return out;
}

std::optional<std::string> fold_optional(const std::optional<std::string>& utf8) {
    if (!utf8) return std::nullopt;
    return fold_case(std::string_view(*utf8));
}

}  // namespace contactd
