-- A shadow holds a row's fields and their clocks as JSON (near a kilobyte): too large for a
-- table without rowid, whose B-tree keeps whole rows in its interior pages. Same columns,
-- same key, as an ordinary table.
CREATE TABLE sync_rows_new (
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    state     TEXT NOT NULL,
    clocks    TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id)
);
INSERT INTO sync_rows_new (entity, entity_id, state, clocks)
    SELECT entity, entity_id, state, clocks FROM sync_rows;
DROP TABLE sync_rows;
ALTER TABLE sync_rows_new RENAME TO sync_rows;
