#pragma once
// The back office's view of the outbox: which messages went where, in what state, and
// why the last attempt failed. Never the text (it may hold a code).
#include <optional>
#include <string>

#include "domain/paging.h"
#include "storage/records.h"
#include "storage/store.h"

namespace contactd::domain {

struct MessageFilter {
    std::optional<std::string> contact_id;
    std::optional<std::string> status;  // PENDING | SENT | ABANDONED | DEVELOPMENT
};

class MessageService {
  public:
    explicit MessageService(storage::Store& store) : store_(store) {}
    // Newest first, with subject, body and html_body cleared. Throws Error(InvalidValue)
    // naming the field for an unknown status or a page out of range.
    Page<storage::MessageRecord> list(const MessageFilter& filter, const PageRequest& page) const;

  private:
    storage::Store& store_;
};

}  // namespace contactd::domain
