"""GET /api/jobs/{id}/result: 202 while running, 200 with the result, 409 when it failed."""

import azure.durable_functions as df
import azure.functions as func

from shared.http import caller, endpoint, json_response, polling_headers
from shared.job_control import read_job
from shared.jobs import status_document
from shared.results import NotFinal, job_result


@endpoint
async def main(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    view = await read_job(client, req.route_params["id"], caller(req))
    try:
        return json_response(await job_result(view), 200)
    except NotFinal:
        return json_response(status_document(view), 202, polling_headers(view))
