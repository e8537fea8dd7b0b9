#include "domain/outbox_writer.h"

#include "crypto/random.h"

namespace contactd::domain {

OutboxWriter::OutboxWriter(const Clock& clock, const MessageComposer& composer,
                           std::function<void()> wake)
    : clock_(clock), composer_(composer), wake_(std::move(wake)) {}

void OutboxWriter::insert(storage::Repositories& repos, storage::MessageRecord message) const {
    message.id = crypto::uuid_v7();
    message.status = "PENDING";
    message.created_at = clock_.now();
    message.next_attempt_at = message.created_at;
    repos.outbox().insert(message);
}

void OutboxWriter::queue_code(storage::Repositories& repos, const IssuedCode& issued,
                              MessageKind kind,
                              const std::optional<storage::ContactRecord>& contact,
                              const std::string& link) const {
    if (issued.fixed) return;  // a test identity (CONTACTD_TEST_IDENTITIES) is sent nothing
    const auto language = contact ? contact->language_code : std::nullopt;
    const auto composed = composer_.compose(
        kind, issued.record.channel, language,
        {{"code", issued.code},
         {"minutes",
          std::to_string((issued.record.expires_at - issued.record.created_at + 59) / 60)},
         {"first_name", contact && contact->first_name ? *contact->first_name : ""},
         {"link", link}});
    storage::MessageRecord message;
    message.channel = issued.record.channel;
    message.recipient = issued.record.destination;
    message.kind = to_string(kind);
    message.subject = composed.subject;
    message.body = composed.body;
    message.html_body = composed.html_body;
    message.contact_id = issued.record.contact_id;
    message.otp_id = issued.record.id;
    insert(repos, std::move(message));
}

void OutboxWriter::queue_notice(storage::Repositories& repos, const std::string& channel,
                                const std::string& recipient, MessageKind kind,
                                const storage::ContactRecord& contact) const {
    const auto composed = composer_.compose(kind, channel, contact.language_code,
                                            {{"first_name", contact.first_name.value_or("")}});
    storage::MessageRecord message;
    message.channel = channel;
    message.recipient = recipient;
    message.kind = to_string(kind);
    message.subject = composed.subject;
    message.body = composed.body;
    message.html_body = composed.html_body;
    message.contact_id = contact.id;
    insert(repos, std::move(message));
}

void OutboxWriter::queue_link(storage::Repositories& repos, const std::string& recipient,
                              MessageKind kind, const storage::ContactRecord& contact,
                              const std::string& link, const std::string& token,
                              std::int64_t minutes) const {
    const auto composed = composer_.compose(kind, "EMAIL", contact.language_code,
                                            {{"first_name", contact.first_name.value_or("")},
                                             {"link", link},
                                             {"token", token},
                                             {"minutes", std::to_string(minutes)}});
    storage::MessageRecord message;
    message.channel = "EMAIL";
    message.recipient = recipient;
    message.kind = to_string(kind);
    message.subject = composed.subject;
    message.body = composed.body;  // holds the token: erased once delivered
    message.html_body = composed.html_body;
    message.contact_id = contact.id;
    insert(repos, std::move(message));
}

}  // namespace contactd::domain
