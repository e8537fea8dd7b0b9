#include "domain/message_service.h"

#include "util/error.h"

namespace contactd::domain {

Page<storage::MessageRecord> MessageService::list(const MessageFilter& filter,
                                                  const PageRequest& request) const {
    if (filter.status && *filter.status != "PENDING" && *filter.status != "SENT" &&
        *filter.status != "ABANDONED" && *filter.status != "DEVELOPMENT") {
        throw invalid_value("status must be PENDING, SENT, ABANDONED or DEVELOPMENT", {"status"});
    }
    if (filter.contact_id && filter.contact_id->size() > 64) {
        throw invalid_value("contact_id is too long", {"contact_id"});
    }
    request.validate();

    const storage::OutboxRepository::Filter where{filter.contact_id, filter.status};
    Page<storage::MessageRecord> page;
    page.request = request;
    store_.read([&](storage::Repositories& repos) {
        page.total = repos.outbox().count(where);
        page.items = repos.outbox().list(where, request.offset(), request.limit());
    });
    for (auto& m : page.items) {  // the text may hold a code: it never leaves this service
        m.subject.reset();
        m.body.reset();
        m.html_body.reset();
    }
    return page;
}

}  // namespace contactd::domain
