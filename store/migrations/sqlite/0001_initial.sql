-- Vigie incident store, SQLite, schema version 1.
-- Times are INTEGER microseconds since the Unix epoch (UTC).

CREATE TABLE incidents (
    id             TEXT    PRIMARY KEY,
    platform       TEXT    NOT NULL,
    class_id       TEXT    NOT NULL DEFAULT '',
    class_name     TEXT    NOT NULL DEFAULT '',
    channel_id     TEXT    NOT NULL DEFAULT '',
    channel_name   TEXT    NOT NULL DEFAULT '',
    message_id     TEXT    NOT NULL DEFAULT '',
    author_id      TEXT    NOT NULL DEFAULT '',
    author_name    TEXT    NOT NULL DEFAULT '',
    kind           TEXT    NOT NULL,
    posted_at      INTEGER,
    recorded_at    INTEGER NOT NULL,
    text           TEXT    NOT NULL DEFAULT '',
    attachments    TEXT    NOT NULL DEFAULT '[]',
    link           TEXT    NOT NULL DEFAULT '',
    verdict        TEXT    NOT NULL,
    action         TEXT    NOT NULL DEFAULT '',
    verdict_action TEXT    NOT NULL DEFAULT '',
    top_category   TEXT    NOT NULL DEFAULT '',
    severity       INTEGER NOT NULL DEFAULT 0,
    lang           TEXT    NOT NULL DEFAULT '',
    dry_run        INTEGER NOT NULL DEFAULT 0,
    followed_up_at INTEGER,
    followed_up_by TEXT    NOT NULL DEFAULT '',
    note           TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX incidents_recorded ON incidents (recorded_at);
CREATE INDEX incidents_author ON incidents (platform, class_id, author_id, recorded_at);
CREATE INDEX incidents_class ON incidents (class_id, recorded_at);
CREATE INDEX incidents_action ON incidents (action, recorded_at);
CREATE INDEX incidents_top_category ON incidents (top_category, recorded_at);
CREATE INDEX incidents_severity ON incidents (severity);
CREATE INDEX incidents_lang ON incidents (lang);

-- Every category of the verdict, for filtering by category.
CREATE TABLE incident_categories (
    incident_id TEXT    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    category    TEXT    NOT NULL,
    severity    INTEGER NOT NULL,
    PRIMARY KEY (incident_id, category)
);
CREATE INDEX incident_categories_category ON incident_categories (category);

CREATE TABLE incident_steps (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT    NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    target      TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '',
    at          INTEGER NOT NULL
);
CREATE INDEX incident_steps_incident ON incident_steps (incident_id, seq);

CREATE TABLE class_settings (
    platform      TEXT    NOT NULL,
    class         TEXT    NOT NULL,
    alert_channel TEXT    NOT NULL DEFAULT '',
    teacher_role  TEXT    NOT NULL DEFAULT '',
    locale        TEXT    NOT NULL DEFAULT '',
    dry_run       INTEGER,
    updated_by    TEXT    NOT NULL DEFAULT '',
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (platform, class)
);
