#include "domain/contact_erasure.h"

#include "domain/password_sign_in.h"

namespace contactd::domain {

bool erase_contact(storage::Repositories& repos, const std::string& contact_id) {
    for (const auto& identity : repos.identities().list_for_contact(contact_id)) {
        if (identity.provider == "EMAIL")
            repos.sign_in_failures().clear(sign_in_failure_key(identity.value));
    }
    return repos.maintenance().delete_contact_entirely(contact_id);
}

}  // namespace contactd::domain
