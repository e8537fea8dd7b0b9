#include "domain/message_composer.h"

namespace contactd::domain {
namespace {

std::string fill(std::string text, const std::map<std::string, std::string>& values) {
    for (const auto& [name, value] : values) {
        const std::string placeholder = "{{" + name + "}}";
        for (auto pos = text.find(placeholder); pos != std::string::npos; pos = text.find(placeholder, pos + value.size())) {
            text.replace(pos, placeholder.size(), value);
        }
    }
    return text;
}

}  // namespace

std::string to_string(MessageKind kind) {
    switch (kind) {
        case MessageKind::SignUpCode: return "SIGN_UP_CODE";
        case MessageKind::SignInCode: return "SIGN_IN_CODE";
        case MessageKind::VerifyIdentityCode: return "VERIFY_IDENTITY_CODE";
        case MessageKind::PasswordSet: return "PASSWORD_SET";
        case MessageKind::IdentityAdded: return "IDENTITY_ADDED";
    }
    return "UNKNOWN";
}

ComposedMessage MessageComposer::compose(MessageKind kind, const std::string& channel,
                                         const std::optional<std::string>&,
                                         const std::map<std::string, std::string>& values) const {
    std::string subject;
    std::string body;
    switch (kind) {
        case MessageKind::SignUpCode:
            subject = "Your sign-up code";
            body = "Your sign-up code is {{code}}. It expires in {{minutes}} minutes.";
            break;
        case MessageKind::SignInCode:
            subject = "Your sign-in code";
            body = "Your sign-in code is {{code}}. It expires in {{minutes}} minutes.";
            break;
        case MessageKind::VerifyIdentityCode:
            subject = "Confirm your new sign-in method";
            body = "Your confirmation code is {{code}}. It expires in {{minutes}} minutes.";
            break;
        case MessageKind::PasswordSet:
            subject = "Your password was set";
            body = "A new password was set for your account. If this was not you, contact us.";
            break;
        case MessageKind::IdentityAdded:
            subject = "A sign-in method was added";
            body = "A new way to sign in was added to your account. If this was not you, contact us.";
            break;
    }
    ComposedMessage out;
    out.body = fill(body, values);
    if (channel == "EMAIL") out.subject = fill(subject, values);
    return out;
}

}  // namespace contactd::domain
