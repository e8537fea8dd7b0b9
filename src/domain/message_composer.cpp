#include "domain/message_composer.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "domain/message_templates.h"
#include "util/embedded.h"
#include "util/strings.h"

namespace contactd::domain {
namespace {

namespace fs = std::filesystem;

constexpr std::array kKinds = {MessageKind::SignUpCode,         MessageKind::SignInCode,
                               MessageKind::VerifyIdentityCode, MessageKind::PasswordSet,
                               MessageKind::IdentityAdded,      MessageKind::PasswordReset,
                               MessageKind::VerifyEmail};
constexpr std::array kParts = {"sms.txt", "subject.txt", "txt", "html"};
constexpr std::uintmax_t kMaxTemplateBytes = 64 * 1024;
const std::string kFallbackLanguage = "en";

bool carries_code(MessageKind kind) {
    return kind == MessageKind::SignUpCode || kind == MessageKind::SignInCode ||
           kind == MessageKind::VerifyIdentityCode;
}

bool carries_link(MessageKind kind) {
    return kind == MessageKind::PasswordReset || kind == MessageKind::VerifyEmail;
}

std::string file_name(MessageKind kind, std::string_view part) {
    return to_lower(to_string(kind)) + "." + std::string(part);
}

// "el", "EL", "el-CY", "el_CY" -> "el"; nullopt for anything that is not 2 or 3 letters.
std::optional<std::string> primary_language(const std::optional<std::string>& tag) {
    if (!tag) return std::nullopt;
    std::string primary = to_lower(tag->substr(0, tag->find_first_of("-_")));
    if (primary.size() < 2 || primary.size() > 3) return std::nullopt;
    for (const char c : primary) {
        if (c < 'a' || c > 'z') return std::nullopt;
    }
    return primary;
}

// Checks one template file's text; throws std::invalid_argument naming `where`.
void validate(const std::string& where, const std::string& text, MessageKind kind,
              std::string_view part) {
    if (!utf8_length(text))
        throw std::invalid_argument("template " + where + " is not valid UTF-8");
    const std::set<std::string> allowed =
        carries_code(kind)   ? std::set<std::string>{"code", "minutes", "first_name", "link"}
        : carries_link(kind) ? std::set<std::string>{"link", "token", "minutes", "first_name"}
                             : std::set<std::string>{"first_name"};
    if (const auto problem = check_template(text, allowed)) {
        throw std::invalid_argument("template " + where + ": " + *problem);
    }
    if (carries_code(kind) && part != "subject.txt" && text.find("{{code}}") == std::string::npos) {
        throw std::invalid_argument("template " + where + " must contain {{code}}");
    }
    if (carries_link(kind) && part != "subject.txt" && text.find("{{link}}") == std::string::npos) {
        throw std::invalid_argument("template " + where + " must contain {{link}}");
    }
}

// The kind and part a file name stands for ("sign_in_code.sms.txt").
std::optional<std::pair<MessageKind, std::string_view>> parse_file_name(const std::string& name) {
    for (const auto kind : kKinds) {
        for (const std::string_view part : kParts) {
            if (name == file_name(kind, part)) return std::pair{kind, part};
        }
    }
    return std::nullopt;
}

std::string read_file(const fs::path& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) throw std::invalid_argument("cannot read template " + path.string());
    if (size > kMaxTemplateBytes)
        throw std::invalid_argument("template " + path.string() + " is over 64 KiB");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) throw std::invalid_argument("cannot read template " + path.string());
    return text.str();
}

// One line for a header: control characters become spaces, runs of spaces one.
std::string single_line(std::string_view text) {
    std::string out;
    for (const char c : text) {
        const bool space = c == ' ' || (static_cast<unsigned char>(c) < 0x20) || c == 0x7f;
        if (space) {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += c;
        }
    }
    return trim(out);
}

std::string trim_end(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' ||
                             text.back() == '\t')) {
        text.pop_back();
    }
    return text;
}

}  // namespace

std::string to_string(MessageKind kind) {
    switch (kind) {
        case MessageKind::SignUpCode:
            return "SIGN_UP_CODE";
        case MessageKind::SignInCode:
            return "SIGN_IN_CODE";
        case MessageKind::VerifyIdentityCode:
            return "VERIFY_IDENTITY_CODE";
        case MessageKind::PasswordSet:
            return "PASSWORD_SET";
        case MessageKind::IdentityAdded:
            return "IDENTITY_ADDED";
        case MessageKind::PasswordReset:
            return "PASSWORD_RESET";
        case MessageKind::VerifyEmail:
            return "VERIFY_EMAIL";
    }
    return "UNKNOWN";
}

MessageComposer::MessageComposer(const std::optional<std::string>& override_dir) {
    for (const auto& file : embedded_templates()) {
        if (!file.data) continue;
        templates_[file.name] = std::string(file.view());
    }
    for (const auto kind : kKinds) {
        for (const std::string_view part : kParts) {
            const auto key = kFallbackLanguage + "/" + file_name(kind, part);
            const auto it = templates_.find(key);
            if (it == templates_.end())
                throw std::logic_error("embedded template " + key + " is missing");
            validate("(embedded) " + key, it->second, kind, part);
        }
    }
    if (!override_dir) return;

    const fs::path root(*override_dir);
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
        throw std::invalid_argument("CONTACTD_TEMPLATES_DIR " + root.string() +
                                    " is not a readable folder");
    }
    for (const auto& language_dir : fs::directory_iterator(root)) {
        const std::string language = language_dir.path().filename().string();
        if (language.starts_with(".") || !language_dir.is_directory()) continue;  // e.g. a README
        if (primary_language(language) != language) {
            throw std::invalid_argument("template folder " + language_dir.path().string() +
                                        " is not a language code (2 or 3 lower-case letters)");
        }
        for (const auto& entry : fs::directory_iterator(language_dir.path())) {
            const std::string name = entry.path().filename().string();
            if (name.starts_with(".")) continue;
            const auto parsed = parse_file_name(name);
            if (!parsed || !entry.is_regular_file()) {
                throw std::invalid_argument("unknown template file " + entry.path().string() +
                                            " (expected <kind>.<part>, e.g. sign_in_code.sms.txt)");
            }
            const std::string text = read_file(entry.path());
            validate(entry.path().string(), text, parsed->first, parsed->second);
            templates_[language + "/" + name] = text;
        }
    }
}

const std::string& MessageComposer::find(const std::string& language, MessageKind kind,
                                         const char* part) const {
    if (const auto it = templates_.find(language + "/" + file_name(kind, part));
        it != templates_.end()) {
        return it->second;
    }
    return templates_.at(kFallbackLanguage + "/" +
                         file_name(kind, part));  // checked at construction
}

ComposedMessage MessageComposer::compose(MessageKind kind, const std::string& channel,
                                         const std::optional<std::string>& language,
                                         const std::map<std::string, std::string>& values) const {
    const std::string lang = primary_language(language).value_or(kFallbackLanguage);
    ComposedMessage out;
    if (channel == "EMAIL") {
        out.subject = single_line(render_template(find(lang, kind, "subject.txt"), values, false));
        out.body = trim_end(render_template(find(lang, kind, "txt"), values, false));
        out.html_body = render_template(find(lang, kind, "html"), values, true);
    } else {
        out.body = trim_end(render_template(find(lang, kind, "sms.txt"), values, false));
    }
    return out;
}

}  // namespace contactd::domain
