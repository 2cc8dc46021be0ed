"""GET /api/webhooks/secret: the caller's webhook signing secret."""

import azure.durable_functions as df
import azure.functions as func

from shared.http import caller, endpoint, json_response
from shared.webhooks.secrets import current_secret


@endpoint
async def main(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    return json_response(await current_secret(caller(req)), 200, {"Cache-Control": "no-store"})
