"""GET /api/jobs/{id}/result: 202 while running, 200 with the result, 409 when it failed."""

import azure.durable_functions as df
import azure.functions as func

from shared.config import settings
from shared.http import caller, endpoint, json_response
from shared.job_control import read_job
from shared.jobs import status_document
from shared.results import NotFinal, job_result, status_link


@endpoint
async def main(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    view = await read_job(client, req.route_params["id"], caller(req))
    try:
        return json_response(await job_result(view), 200)
    except NotFinal:
        headers = {
            "Location": status_link(view.spec.id),
            "Retry-After": str(settings().retry_after_seconds),
        }
        return json_response(status_document(view), 202, headers)
