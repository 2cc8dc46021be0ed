"""GET /api/targets: the targets this deployment offers, their kinds, limits and availability."""

import azure.durable_functions as df
import azure.functions as func

from shared.http import caller, endpoint, json_response
from shared.target_listing import targets_document


@endpoint
async def main(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    caller(req)
    return json_response(await targets_document(), 200)
