"""Completion webhooks: where a job's events may be sent (destinations), the per-client
signing secrets (secrets), one signed delivery attempt (sending) and the durable delivery
with its retries (delivery)."""
