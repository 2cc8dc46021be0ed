"""Activity: one webhook delivery attempt (shared/webhooks/delivery.py)."""

from shared.webhooks import delivery

main = delivery.send_webhook
