#include "domain/message_templates.h"

#include "util/strings.h"

namespace contactd::domain {
namespace {

constexpr std::string_view kOpen = "{{";
constexpr std::string_view kClose = "}}";

// Calls on_text for literal text and on_tag for each "{{tag}}" (trimmed). Returns false
// at an unclosed "{{".
template <class OnText, class OnTag>
bool scan(std::string_view text, OnText on_text, OnTag on_tag) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto open = text.find(kOpen, i);
        if (open == std::string_view::npos) {
            on_text(text.substr(i));
            return true;
        }
        on_text(text.substr(i, open - i));
        const auto close = text.find(kClose, open + kOpen.size());
        if (close == std::string_view::npos) {
            on_text(text.substr(open));
            return false;
        }
        i = on_tag(trim(text.substr(open + kOpen.size(), close - open - kOpen.size())), open,
                   close + kClose.size());
    }
    return true;
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string render_template(std::string_view text, const TemplateValues& values, bool html) {
    std::string out;
    scan(
        text, [&](std::string_view literal) { out.append(literal); },
        [&](const std::string& tag, std::size_t open, std::size_t after) -> std::size_t {
            if (!tag.empty() && tag[0] == '#') {
                const std::string name = trim(tag.substr(1));
                const std::string end = std::string(kOpen) + "/" + name + std::string(kClose);
                const auto end_pos = text.find(end, after);
                if (end_pos == std::string_view::npos) {  // unclosed: kept as written
                    out.append(text.substr(open, after - open));
                    return after;
                }
                const auto it = values.find(name);
                if (it != values.end() && !it->second.empty()) {
                    out += render_template(text.substr(after, end_pos - after), values, html);
                }
                return end_pos + end.size();
            }
            const auto it = values.find(tag);
            if (it == values.end()) {
                out.append(text.substr(open, after - open));  // unknown: kept as written
            } else {
                out += html ? html_escape(it->second) : it->second;
            }
            return after;
        });
    return out;
}

std::optional<std::string> check_template(std::string_view text,
                                          const std::set<std::string>& allowed) {
    std::optional<std::string> problem;
    std::vector<std::string> open_sections;
    const bool closed = scan(
        text, [](std::string_view) {},
        [&](const std::string& tag, std::size_t, std::size_t after) -> std::size_t {
            if (problem) return after;
            std::string name = tag;
            const char sigil = tag.empty() ? '\0' : tag[0];
            if (sigil == '#' || sigil == '/') name = trim(tag.substr(1));
            if (!allowed.contains(name)) {
                problem = "unknown placeholder {{" + tag + "}}";
            } else if (sigil == '#') {
                open_sections.push_back(name);
            } else if (sigil == '/') {
                if (open_sections.empty() || open_sections.back() != name) {
                    problem = "{{/" + name + "}} closes no section";
                } else {
                    open_sections.pop_back();
                }
            }
            return after;
        });
    if (problem) return problem;
    if (!closed) return std::string("a \"{{\" is not closed by \"}}\"");
    if (!open_sections.empty()) return "{{#" + open_sections.back() + "}} is not closed";
    return std::nullopt;
}

}  // namespace contactd::domain
