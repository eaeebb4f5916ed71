-- 0011_abuse.sql (issue 6): rate-limit counters, shared by every server on
-- one database. A row is one fixed window per bucket: it opens at the first
-- hit and lasts the class's window; the next hit after window_end starts a
-- new one. Rows whose window ended are purged now and then. Lockout counters
-- live on users (failed_attempts, lockout_until) since 0001.
CREATE TABLE rate_limits (
    instance_id TEXT    NOT NULL,
    bucket      TEXT    NOT NULL, -- "<class>:<key>", e.g. "attempt:203.0.113.7"
    window_end  BIGINT  NOT NULL, -- unix ms
    hits        INTEGER NOT NULL, -- hits counted (or handed to servers) in the window
    PRIMARY KEY (instance_id, bucket)
);
CREATE INDEX rate_limits_window_end ON rate_limits (window_end);
