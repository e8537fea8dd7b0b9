#pragma once
// Puts messages into the outbox inside the caller's transaction, so a code and the
// message that carries it are committed together (or not at all). The dispatcher
// (delivery/dispatcher.h) sends them; wake() tells it to look now rather than at its
// next poll, and must be called after the transaction commits.
#include <functional>
#include <optional>
#include <string>

#include "domain/message_composer.h"
#include "domain/otp_service.h"
#include "storage/repositories.h"
#include "util/clock.h"

namespace contactd::domain {

class OutboxWriter {
  public:
    OutboxWriter(const Clock& clock, const MessageComposer& composer, std::function<void()> wake);

    // Queues the message that carries `issued.code` to its destination (nothing for a
    // test identity's fixed code, IssuedCode::fixed); `link`, when given, fills {{link}}
    // (the sign-up email's verification link).
    void queue_code(storage::Repositories& repos, const IssuedCode& issued, MessageKind kind,
                    const std::optional<storage::ContactRecord>& contact,
                    const std::string& link = "") const;

    // Queues the email that carries an emailed link (domain/email_link_tokens.h).
    void queue_link(storage::Repositories& repos, const std::string& recipient, MessageKind kind,
                    const storage::ContactRecord& contact, const std::string& link,
                    const std::string& token, std::int64_t minutes) const;

    // Queues a notice without a code (e.g. "a new password was set").
    void queue_notice(storage::Repositories& repos, const std::string& channel,
                      const std::string& recipient, MessageKind kind,
                      const storage::ContactRecord& contact) const;

    void wake() const {
        if (wake_) wake_();
    }

  private:
    void insert(storage::Repositories& repos, storage::MessageRecord message) const;

    const Clock& clock_;
    const MessageComposer& composer_;
    std::function<void()> wake_;
};

}  // namespace contactd::domain
