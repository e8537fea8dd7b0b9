#pragma once
// The text of each kind of message, per channel and language. Defaults are compiled in;
// issue-specific templates can replace them (see the delivery documentation).
#include <map>
#include <optional>
#include <string>

namespace contactd::domain {

enum class MessageKind { SignUpCode, SignInCode, VerifyIdentityCode, PasswordSet, IdentityAdded };

std::string to_string(MessageKind kind);

struct ComposedMessage {
    std::optional<std::string> subject;    // email only
    std::string body;                      // plain text (the SMS text, or the email's text part)
    std::optional<std::string> html_body;  // email only
};

class MessageComposer {
public:
    virtual ~MessageComposer() = default;
    // `values` fills {{name}} placeholders (code, minutes, first_name).
    virtual ComposedMessage compose(MessageKind kind, const std::string& channel,
                                    const std::optional<std::string>& language,
                                    const std::map<std::string, std::string>& values) const;
};

}  // namespace contactd::domain
