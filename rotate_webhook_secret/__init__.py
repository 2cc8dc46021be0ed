"""POST /api/webhooks/secret/rotate: a new webhook signing secret for the caller (the old one
still signs deliveries for 24 hours)."""

import azure.durable_functions as df
import azure.functions as func

from shared.http import caller, endpoint, json_response
from shared.webhooks.secrets import rotate_secret


@endpoint
async def main(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    return json_response(await rotate_secret(caller(req)), 200, {"Cache-Control": "no-store"})
