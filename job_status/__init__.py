"""GET /api/jobs/{id}/status: 202 while the job runs, 200 once it is final."""

import azure.durable_functions as df
import azure.functions as func

from shared.http import caller, endpoint, json_response, polling_headers
from shared.job_control import read_job
from shared.jobs import status_document


@endpoint
async def main(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    view = await read_job(client, req.route_params["id"], caller(req))
    if view.lifecycle.state.is_final:
        return json_response(status_document(view), 200)
    return json_response(status_document(view), 202, polling_headers(view, location=False))
