"""Activity: start a job event's webhook delivery (shared/webhooks/delivery.py)."""

from shared.webhooks import delivery

main = delivery.start_delivery
