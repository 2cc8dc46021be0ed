"""DELETE /api/jobs/{id}: ask the job to cancel (202), 409 once it is final."""

import azure.durable_functions as df
import azure.functions as func

from shared.config import settings
from shared.http import caller, endpoint, json_response
from shared.job_control import read_job, request_cancel
from shared.jobs import status_document
from shared.results import status_link


@endpoint
async def main(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    view = await read_job(client, req.route_params["id"], caller(req))
    retry_after = settings().retry_after_seconds
    await request_cancel(client, view, retry_after)
    headers = {"Location": status_link(view.spec.id), "Retry-After": str(retry_after)}
    return json_response(status_document(view), 202, headers)
