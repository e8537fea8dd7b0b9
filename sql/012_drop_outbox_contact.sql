-- outbox_contact (contact_id) is the leading column of outbox_contact_created (contact_id,
-- created_at), which answers every look-up and the ON DELETE SET NULL by contact_id too.
-- Each index costs every queued message one more b-tree insert on the writer thread.
DROP INDEX IF EXISTS outbox_contact;
