-- The day each member was last reminded of their late and due tasks, so the desktop
-- notification comes at most once a day. Kept on this device only (never synced).
CREATE TABLE task_reminders (
    member_id   TEXT PRIMARY KEY NOT NULL REFERENCES members (id),
    reminded_on TEXT NOT NULL
) WITHOUT ROWID;
