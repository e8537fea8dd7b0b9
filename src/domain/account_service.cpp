#include "domain/account_service.h"

#include "crypto/random.h"
#include "domain/contact_erasure.h"
#include "util/error.h"

namespace contactd::domain {

Error reauthentication_required() {
    return {ErrorKind::Forbidden, "REAUTHENTICATIONREQUIREDEXCEPTION",
            "Sign in again (within the last 10 minutes) to do this"};
}

AccountService::AccountService(storage::Store& store, const Clock& clock,
                               const SessionService& sessions, const SecurityEvents& events,
                               AccountPolicy policy)
    : store_(store), clock_(clock), sessions_(sessions), events_(events), policy_(policy) {}

SignedIn AccountService::sign_in_as_guest(const ClientInfo& client) const {
    return sign(sessions_, store_.write([&](storage::Repositories& repos) {
        const auto now = clock_.now();
        storage::ContactRecord contact;
        contact.id = crypto::uuid_v7();
        contact.is_guest = true;
        contact.created_at = now;
        contact.updated_at = now;
        repos.contacts().insert(contact);
        return load_signed_in(repos,
                              sessions_.start(repos, contact.id, auth_method::kGuest, client));
    }));
}

void AccountService::delete_self(const Bearer& bearer, const ClientInfo& client) const {
    store_.write([&](storage::Repositories& repos) {
        const auto session = repos.sessions().find(bearer.session_id);
        if (!session || session->contact_id != bearer.contact_id)
            throw not_authenticated("The session has ended");
        // created_at is when the session was signed in; refreshes never move it.
        if (clock_.now() - session->created_at > policy_.reauthentication_window)
            throw reauthentication_required();
        if (!erase_contact(repos, bearer.contact_id)) throw not_found("Contact");
        ClientInfo kept;  // the request's id only: its address and agent are the contact's
        kept.request_id = client.request_id;
        events_.record(repos, security_event::kContactDeleted, bearer.contact_id, kept,
                       {{"by", "SELF"}});
    });
}

}  // namespace contactd::domain
