package trace

// The schema of a trace, as numbered migrations: a trace written by an
// older mapiscope is brought forward when opened for writing. Times are
// Unix nanoseconds (INTEGER); ids of the MAPI world (FolderId, …) are text
// in the RRRR-GGGGGGGGGGGG form; property tags and error codes are
// integers.
var migrations = []string{
	// 1: the initial schema.
	`
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE captures (
	id           INTEGER PRIMARY KEY,
	source       TEXT NOT NULL,      -- proxy | pcap | saz | har | jsonl
	path         TEXT,
	started      INTEGER NOT NULL,   -- when the capture (or import) began
	finished     INTEGER,            -- NULL while being written, or if interrupted
	tool_version TEXT,
	notes        TEXT,
	exchanges    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
	id          INTEGER PRIMARY KEY,
	capture_id  INTEGER NOT NULL REFERENCES captures(id),
	endpoint    TEXT NOT NULL,       -- emsmdb | nspi | autodiscover | other
	mailbox_id  TEXT,
	user        TEXT,
	cookie      TEXT,                -- name=value of the context cookie that keys it
	client_app  TEXT,
	client_info TEXT,
	server      TEXT,
	first_seen  INTEGER,
	last_seen   INTEGER,
	exchanges   INTEGER NOT NULL DEFAULT 0,
	rops        INTEGER NOT NULL DEFAULT 0,
	errors      INTEGER NOT NULL DEFAULT 0,  -- ROPs whose ReturnValue is not 0
	anomalies   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE exchanges (
	id              INTEGER PRIMARY KEY,
	capture_id      INTEGER NOT NULL REFERENCES captures(id),
	session_id      INTEGER REFERENCES sessions(id),  -- NULL: not MAPI
	seq             INTEGER,                          -- position in its session
	started         INTEGER,
	request_done    INTEGER,
	response_start  INTEGER,
	ended           INTEGER,
	duration        INTEGER,                          -- ns, NULL when unknown
	client          TEXT,
	server          TEXT,
	conn            TEXT,
	method          TEXT,
	url             TEXT,
	host            TEXT,
	request_type    TEXT,                             -- X-RequestType as sent
	request_id      TEXT,
	client_info     TEXT,
	client_app      TEXT,
	http_status     INTEGER,                          -- 0: no response
	x_response_code INTEGER,                          -- NULL when absent
	req_headers     TEXT,                             -- "Name: value" lines
	resp_headers    TEXT,
	req_body        BLOB,
	resp_body       BLOB,                             -- de-chunked, meta-tags included
	req_size        INTEGER NOT NULL DEFAULT 0,
	resp_size       INTEGER NOT NULL DEFAULT 0,
	rop_count       INTEGER NOT NULL DEFAULT 0,
	rop_summary     TEXT,                             -- "Logon, OpenFolder ×2, …"
	error_count     INTEGER NOT NULL DEFAULT 0,
	anomaly_count   INTEGER NOT NULL DEFAULT 0,
	partial         INTEGER NOT NULL DEFAULT 0,
	error           TEXT,
	source          TEXT,
	mark            TEXT,
	comment         TEXT
);
CREATE INDEX exchanges_session ON exchanges(session_id, seq);
CREATE INDEX exchanges_type ON exchanges(request_type COLLATE NOCASE);
CREATE INDEX exchanges_marked ON exchanges(id) WHERE mark IS NOT NULL;
CREATE INDEX exchanges_anomalous ON exchanges(id) WHERE anomaly_count > 0;
CREATE INDEX exchanges_status ON exchanges(http_status);

CREATE TABLE chunks (
	exchange_id INTEGER NOT NULL,
	seq         INTEGER NOT NULL,
	offset      INTEGER NOT NULL,
	length      INTEGER NOT NULL,
	at          INTEGER,
	tag         TEXT,                                 -- PROCESSING | PENDING | DONE | body
	PRIMARY KEY (exchange_id, seq)
) WITHOUT ROWID;

CREATE TABLE rops (
	id            INTEGER PRIMARY KEY,
	exchange_id   INTEGER NOT NULL REFERENCES exchanges(id),
	session_id    INTEGER,
	position      INTEGER NOT NULL,   -- index in the request buffer; unsolicited responses follow
	rop_id        INTEGER NOT NULL,
	name          TEXT NOT NULL,
	logon_id      INTEGER,
	input_index   INTEGER,
	output_index  INTEGER,
	input_handle  INTEGER,
	output_handle INTEGER,
	input_object  INTEGER,            -- objects.id
	output_object INTEGER,
	return_value  INTEGER,            -- NULL: no response
	req_off       INTEGER,            -- byte range of the request ROP (absolute in the request body, or in the decoded payload)
	req_len       INTEGER,
	resp_off      INTEGER,
	resp_len      INTEGER,
	summary       TEXT,
	request_json  TEXT,               -- decoded, field names as the specification has them
	response_json TEXT,
	context       TEXT                -- the session context its decoding used (JSON), for re-decoding it alone
);
CREATE INDEX rops_exchange ON rops(exchange_id, position);
CREATE INDEX rops_ropid ON rops(rop_id, exchange_id);
CREATE INDEX rops_error ON rops(return_value, exchange_id) WHERE return_value IS NOT NULL AND return_value != 0;

CREATE TABLE rop_props (
	property_id INTEGER NOT NULL,    -- the 16-bit property id of a tag the ROP names
	rop         INTEGER NOT NULL,    -- rops.id
	exchange_id INTEGER NOT NULL,
	PRIMARY KEY (property_id, rop)
) WITHOUT ROWID;

CREATE TABLE objects (
	id                INTEGER PRIMARY KEY,
	session_id        INTEGER NOT NULL,
	seq               INTEGER,       -- creation order in the session
	kind              TEXT NOT NULL,
	detail            TEXT,
	name              TEXT,
	handle            INTEGER,
	logon_id          INTEGER,
	parent_id         INTEGER,       -- objects.id
	folder_id         TEXT,
	message_id        TEXT,
	created_exchange  INTEGER,
	created_rop       INTEGER,       -- rops.id
	released_exchange INTEGER,
	released_rop      INTEGER
);
CREATE INDEX objects_session ON objects(session_id, seq);

CREATE TABLE anomalies (
	id          INTEGER PRIMARY KEY,
	exchange_id INTEGER,
	session_id  INTEGER,
	direction   TEXT,                -- request | response | exchange
	offset      INTEGER,
	path        TEXT,
	reason      TEXT NOT NULL,
	raw         BLOB
);
CREATE INDEX anomalies_exchange ON anomalies(exchange_id);
`,
}

// SchemaVersion is the schema a trace written by this build has.
var SchemaVersion = len(migrations)
