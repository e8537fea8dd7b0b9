#pragma once
// The small template language of message texts: "{{name}}" is replaced by a value, and
// "{{#name}}…{{/name}}" is kept only when the value is not empty (e.g. a greeting that
// needs a first name). Values are inserted as they are, or HTML-escaped for HTML parts;
// a value is never itself read as a template.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace contactd::domain {

using TemplateValues = std::map<std::string, std::string>;

std::string render_template(std::string_view text, const TemplateValues& values, bool html);

// Why `text` is not a valid template (an unknown placeholder, an unclosed "{{" or
// section), or nullopt when it is.
std::optional<std::string> check_template(std::string_view text,
                                          const std::set<std::string>& allowed);

// & < > " ' as character references.
std::string html_escape(std::string_view text);

}  // namespace contactd::domain
