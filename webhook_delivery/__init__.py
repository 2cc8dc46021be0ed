"""Orchestrator: one job event's webhook delivery with its retries (shared/webhooks/delivery.py)."""

import azure.durable_functions as df

from shared.webhooks.delivery import deliver

main = df.Orchestrator.create(deliver)
