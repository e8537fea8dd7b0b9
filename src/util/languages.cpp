#include "util/languages.h"

namespace contactd {

bool is_iso639_1(std::string_view code) {
    if (code.size() != 2) return false;
    for (const char* language : iso639_1_languages()) {
        if (code == language) return true;
    }
    return false;
}

}  // namespace contactd
