#pragma once
// Unicode case folding for case-insensitive matching in every script, with ICU:
// "Ελένη", "ΕΛΈΝΗ" and "ελένη" fold alike, as do "Straße" and "STRASSE", "Иван" and
// "ИВАН". The text is put in NFC first (a decomposed "Έ" folds as the composed one) and
// folded with full default case folding (u_strFoldCase, U_FOLD_CASE_DEFAULT); the
// result is NFC again. Folding is not accent stripping: "é" stays apart from "e".
//
// The storage layer keeps folded copies of searchable columns and folds search prefixes
// with this same function, so both sides agree byte for byte.
// Invalid UTF-8 is folded as far as ICU reads it (ill-formed sequences become U+FFFD);
// input reaching storage was checked to be UTF-8 already. Thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace contactd {

std::string fold_case(std::string_view utf8);
// fold_case of the text, nullopt stays nullopt.
std::optional<std::string> fold_optional(const std::optional<std::string>& utf8);

}  // namespace contactd
