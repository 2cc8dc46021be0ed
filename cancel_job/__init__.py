"""DELETE /api/jobs/{id}: ask the job to cancel (202), 409 once it is final."""

import azure.durable_functions as df
import azure.functions as func

from shared.config import settings
from shared.http import caller, endpoint, json_response, polling_headers
from shared.job_control import read_job, request_cancel
from shared.jobs import status_document


@endpoint
async def main(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    view = await read_job(client, req.route_params["id"], caller(req))
    await request_cancel(client, view, settings().retry_after_seconds)
    return json_response(status_document(view), 202, polling_headers(view))
