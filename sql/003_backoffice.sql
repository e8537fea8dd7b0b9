-- The back office: a contact's phones and custom fields, the audit trail of back-office
-- changes, and the indexes behind the contact listing's filters.

-- Every phone the back office recorded for a contact, in the order given. The primary
-- one is also kept in contacts.phone, where the self-service claim flow looks for it.
CREATE TABLE contact_phones (
    contact_id TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,   -- 0-based, as given
    phone_type TEXT NOT NULL DEFAULT 'MOBILE',
    number     TEXT NOT NULL,      -- E.164
    is_primary INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (contact_id, position),
    UNIQUE (contact_id, number)
);
CREATE INDEX contact_phones_number ON contact_phones (number);

CREATE TABLE contact_custom_fields (
    contact_id TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT,
    position   INTEGER NOT NULL,   -- 0-based, as given
    PRIMARY KEY (contact_id, key)
);

-- Who (which secret API key) changed what, and when. detail is a JSON object naming
-- what changed; it never holds a secret. No foreign keys: the trail outlives the
-- contacts, organisations and keys it names.
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    api_key_id  TEXT NOT NULL,
    action      TEXT NOT NULL,      -- e.g. CONTACT_CREATE
    entity_type TEXT NOT NULL,      -- CONTACT | ORGANISATION
    entity_id   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at);
CREATE INDEX audit_log_entity ON audit_log (entity_id, created_at);

-- Listing filters. Exact filters use contacts.code (UNIQUE, so already indexed),
-- contacts.email_normalized and contacts.phone (indexed in 001), contact_phones.number
-- and identities (provider, value) (UNIQUE in 001).
--
-- search_value is a case-insensitive prefix of a name, the email, a phone or the code.
-- It is answered with range queries on lower-cased values:
--     lower(first_name) >= 'and' AND lower(first_name) < 'ane'
-- over expression indexes on lower(column). A range with a computed upper bound is exact
-- (every value in [p, p+1) starts with p, byte-wise) and needs no escaping of '%' or '_'
-- typed by a user. The LIKE optimisation would need COLLATE NOCASE indexes, a pattern
-- without ESCAPE and case_sensitive_like off, and silently falls back to a full scan when
-- any of that is not so. email_normalized is lower-cased already; phones and codes of
-- digits need no folding, but codes may hold letters, so code gets a lower() index too.
CREATE INDEX contacts_first_name_lower ON contacts (lower(first_name));
CREATE INDEX contacts_last_name_lower ON contacts (lower(last_name));
CREATE INDEX contacts_company_name_lower ON contacts (lower(company_name));
CREATE INDEX contacts_code_lower ON contacts (lower(code));

-- The listing's order (oldest first, ties by id) for pages without a filter.
CREATE INDEX contacts_created ON contacts (created_at, id);

CREATE INDEX organisations_name ON organisations (name, id);
