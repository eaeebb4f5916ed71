-- 0005_user_imports: MFA material imported with users (issue 3). Both stay
-- NULL until set; the Backend API only reports whether each is present.
-- totp_secret: base64 of the base32 TOTP secret sealed with the master key.
-- backup_codes: comma-separated hex SHA-256 of "<user id>:<code>", one per
-- unused code.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN backup_codes TEXT;
