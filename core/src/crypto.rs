//! Encryption of secrets at rest (OAuth tokens) and hashing of API keys.
