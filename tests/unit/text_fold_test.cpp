// util::fold_case (ICU case folding) and the ISO 639-1 list: every case of a name in
// Greek, Cyrillic or with accents folds to one string; prefixes fold to prefixes of the
// folded whole; ASCII is plain lower-casing; the language list is the real one.
#include <doctest/doctest.h>

#include <string>

#include "util/languages.h"
#include "util/text_fold.h"

using namespace contactd;

TEST_SUITE("util::text_fold") {
    TEST_CASE("fold_case: Greek names fold alike in every case, with and without tonos") {
        CHECK(fold_case("Ελένη") == "ελένη");
        CHECK(fold_case("ΕΛΈΝΗ") == "ελένη");
        CHECK(fold_case("ελένη") == "ελένη");
        // Final and medial sigma are one letter for matching.
        CHECK(fold_case("ΟΔΥΣΣΕΑΣ") == "οδυσσεασ");
        CHECK(fold_case("Οδυσσέας") == "οδυσσέασ");
        // A decomposed Έ (Ε + U+0301) folds as the composed one.
        CHECK(fold_case("\u0395\u039b\u0395\u0301\u039d\u0397") == "ελένη");
    }

    TEST_CASE("fold_case: Cyrillic, accented Latin and German sharp s") {
        CHECK(fold_case("ИВАН") == "иван");
        CHECK(fold_case("Иван") == "иван");
        CHECK(fold_case("JOSÉ") == "josé");
        CHECK(fold_case("José") == fold_case("JOSÉ"));
        CHECK(fold_case("Ångström") == "ångström");
        CHECK(fold_case("STRASSE") == fold_case("Straße"));
        CHECK(fold_case("İstanbul") != "istanbul");  // İ keeps its dot (full folding)
        // Folding is not accent stripping.
        CHECK(fold_case("josé") != fold_case("jose"));
    }

    TEST_CASE("fold_case: ASCII is lower-cased and nothing else") {
        CHECK(fold_case("Andy.Steward+1@Example.COM") == "andy.steward+1@example.com");
        CHECK(fold_case("C-0054321") == "c-0054321");
        CHECK(fold_case("") == "");
        CHECK(fold_optional(std::optional<std::string>()) == std::nullopt);
        CHECK(fold_optional(std::optional<std::string>("ÉLODIE")) == "élodie");
    }

    TEST_CASE("fold_case: a folded prefix is a prefix of the folded whole") {
        for (const auto& [whole, prefix] :
             {std::pair<std::string, std::string>{"Ελένη Παπαδοπούλου", "ΕΛΈ"},
              {"Анна Каренина", "анна к"},
              {"Éloïse", "ÉLO"},
              {"Eleni@Παράδειγμα.gr", "ELENI@ΠΑΡ"}}) {
            CAPTURE(whole);
            CHECK(fold_case(whole).starts_with(fold_case(prefix)));
        }
    }

    TEST_CASE("languages: two-letter ISO 639-1 codes from iso-codes") {
        CHECK(iso639_1_languages().size() > 180);
        for (const char* code : {"el", "en", "ru", "de", "fr", "zh", "ar", "he", "tr"}) {
            CAPTURE(code);
            CHECK(is_iso639_1(code));
        }
        for (const char* code : {"", "e", "EL", "xx", "qq", "ell", "el-CY", "zz"}) {
            CAPTURE(code);
            CHECK_FALSE(is_iso639_1(code));
        }
    }
}
