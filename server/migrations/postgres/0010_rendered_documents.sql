-- The bytes of an issued document's first rendering (its PDF), served unchanged ever after: a font,
-- template or crate upgrade never changes a document a customer has received. The first writer wins;
-- a second rendering racing it is dropped and the stored one served.
CREATE TABLE rendered_documents (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    document_id     TEXT NOT NULL,
    format          TEXT NOT NULL,
    bytes           BYTEA NOT NULL,
    PRIMARY KEY (organisation_id, document_id, format)
);
