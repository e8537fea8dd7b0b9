#pragma once
// The text of each kind of message, per channel and language, from templates:
// templates/<language>/<kind>.<part> (kind in lower case, e.g. sign_in_code; part one
// of sms.txt, subject.txt, txt, html), compiled into the binary, each file overridable
// by the same path under CONTACTD_TEMPLATES_DIR. A contact's language_code ("el",
// "el-CY") picks the folder; any file missing in that language falls back to English.
// See domain/message_templates.h for the placeholders.
#include <map>
#include <optional>
#include <string>

namespace contactd::domain {

enum class MessageKind {
    SignUpCode,
    SignInCode,
    VerifyIdentityCode,
    PasswordSet,
    IdentityAdded,
    // Emailed links (domain/email_link_tokens.h): {{link}}, {{token}}, {{minutes}}.
    PasswordReset,
    VerifyEmail,
};

std::string to_string(MessageKind kind);

struct ComposedMessage {
    std::optional<std::string> subject;    // email only
    std::string body;                      // plain text (the SMS text, or the email's text part)
    std::optional<std::string> html_body;  // email only
};

class MessageComposer {
  public:
    // The embedded templates, overridden by the files under `override_dir` when given.
    // Throws std::invalid_argument naming the file when an override is unreadable, not
    // UTF-8, uses an unknown placeholder, or a code message's text lacks {{code}}.
    explicit MessageComposer(const std::optional<std::string>& override_dir = std::nullopt);
    virtual ~MessageComposer() = default;

    // `values` fills the placeholders: code, minutes and first_name for code messages
    // (and link: the sign-up email's verification link, a section when empty),
    // first_name for notices, link, token, minutes and first_name for link messages. `channel` is
    // SMS or EMAIL.
    virtual ComposedMessage compose(MessageKind kind, const std::string& channel,
                                    const std::optional<std::string>& language,
                                    const std::map<std::string, std::string>& values) const;

  private:
    const std::string& find(const std::string& language, MessageKind kind, const char* part) const;

    std::map<std::string, std::string> templates_;  // "<language>/<kind>.<part>" -> text
};

}  // namespace contactd::domain
