"""GET /api/jobs/{id}/result: 202 while running, 200 with the result, 409 when it failed
(Prefer: wait=N waits up to N seconds for the end)."""

import azure.durable_functions as df
import azure.functions as func

from shared.http import caller, endpoint, json_response, polling_headers
from shared.jobs import status_document
from shared.long_poll import preference_applied, read_job_waiting, requested_wait
from shared.problems import ApiError
from shared.results import NotFinal, job_result


@endpoint
async def main(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    wait = requested_wait(req)
    view = await read_job_waiting(client, req.route_params["id"], caller(req), wait)
    headers = preference_applied(wait)
    try:
        return json_response(await job_result(view), 200, headers)
    except NotFinal:
        headers.update(polling_headers(view))
        return json_response(status_document(view), 202, headers)
    except ApiError as refused:
        refused.headers.update(headers)
        raise
