-- Case-insensitive search in every script (issue 9). SQLite's lower() folds ASCII only,
-- so "ελένη" did not find "Ελένη". The storage layer now keeps a Unicode case-folded
-- copy (ICU full case folding after NFC: util/text_fold.h) of every column that
-- search_value matches, written with the row on every insert and update
-- (storage/sqlite/contact_repository.cpp, identity_repository.cpp), and folds the search
-- prefix the same way. Prefix ranges over these columns use plain indexes, as the lower()
-- expression indexes of 003 did; those are dropped, nothing reads them any more.
--
-- The backfill calls contactd_fold(), an SQLite function the migrator registers on its
-- connection (storage/sqlite/migrator.cpp) around the same ICU call: the folding stays one
-- C++ function, and the backfill runs in this migration's own transaction. The function
-- is used nowhere in the schema (no index, trigger or view names it), so the database
-- stays readable and writable by the sqlite3 shell and any other tool.
ALTER TABLE contacts ADD COLUMN first_name_folded TEXT;
ALTER TABLE contacts ADD COLUMN last_name_folded TEXT;
ALTER TABLE contacts ADD COLUMN company_name_folded TEXT;
ALTER TABLE contacts ADD COLUMN email_folded TEXT;
ALTER TABLE contacts ADD COLUMN code_folded TEXT;
-- identities.value is the lower-cased (ASCII) key; value_folded its full folding.
ALTER TABLE identities ADD COLUMN value_folded TEXT;

UPDATE contacts SET
    first_name_folded = contactd_fold(first_name),
    last_name_folded = contactd_fold(last_name),
    company_name_folded = contactd_fold(company_name),
    email_folded = contactd_fold(email),
    code_folded = contactd_fold(code);
UPDATE identities SET value_folded = contactd_fold(value);

CREATE INDEX contacts_first_name_folded ON contacts (first_name_folded);
CREATE INDEX contacts_last_name_folded ON contacts (last_name_folded);
CREATE INDEX contacts_company_name_folded ON contacts (company_name_folded);
CREATE INDEX contacts_email_folded ON contacts (email_folded);
CREATE INDEX contacts_code_folded ON contacts (code_folded);
CREATE INDEX identities_value_folded ON identities (provider, value_folded);

DROP INDEX contacts_first_name_lower;
DROP INDEX contacts_last_name_lower;
DROP INDEX contacts_company_name_lower;
DROP INDEX contacts_code_lower;
