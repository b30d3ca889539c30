-- A pull serves each record at its latest change only; this index finds a record's later changes.
CREATE INDEX changes_record ON changes (organisation_id, entity, entity_id, change_no);
