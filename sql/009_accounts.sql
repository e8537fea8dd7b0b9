-- Account lifecycle (issue 9, accounts): guest contacts.
--
-- contacts.is_guest: 1 for a contact made by `{"login_as_guest": true}` on authenticate. It
-- has no identity; adding one (POST /contacts/{id}/identities) makes it a normal contact
-- (is_guest 0, same id). The periodic purge erases guests still unconverted after
-- CONTACTD_GUEST_TTL seconds (domain/purge_service.h), looking them up by this index.
ALTER TABLE contacts ADD COLUMN is_guest INTEGER NOT NULL DEFAULT 0;
CREATE INDEX contacts_guest_created ON contacts (created_at) WHERE is_guest = 1;
