"""GET /api/jobs: the caller's jobs, newest first (filters: status, target, name; paged)."""

import azure.durable_functions as df
import azure.functions as func

from shared.http import caller, endpoint, json_response
from shared.listing import list_jobs


@endpoint
async def main(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    page = await list_jobs(client, caller(req), dict(req.params))
    return json_response(page, 200)
