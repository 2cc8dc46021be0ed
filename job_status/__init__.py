"""GET /api/jobs/{id}/status: 202 while the job runs, 200 once it is final (Prefer: wait=N
waits up to N seconds for the end)."""

import azure.durable_functions as df
import azure.functions as func

from shared.http import caller, endpoint, json_response, polling_headers
from shared.jobs import status_document
from shared.long_poll import preference_applied, read_job_waiting, requested_wait
from shared.webhooks.delivery import delivery_of


@endpoint
async def main(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    wait = requested_wait(req)
    view = await read_job_waiting(client, req.route_params["id"], caller(req), wait)
    document = status_document(view)
    if view.spec.webhook is not None:
        document["webhook"] = await delivery_of(client, view)
    headers = preference_applied(wait)
    if view.lifecycle.state.is_final:
        return json_response(document, 200, headers)
    headers.update(polling_headers(view, location=False))
    return json_response(document, 202, headers)
