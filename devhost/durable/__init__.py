"""The Durable Functions engine of devhost: history, replay, storage, HTTP API."""
