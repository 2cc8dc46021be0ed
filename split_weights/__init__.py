"""GET|POST /api/splitweights: the seed's call; the ±1 map when the job finishes quickly."""

import azure.durable_functions as df
import azure.functions as func

from shared.config import settings
from shared.http import caller, endpoint, json_response, polling_headers
from shared.jobs import status_document
from shared.results import job_result
from shared.splitweights import read_weights_request, wait_until_final
from shared.submission import submit


@endpoint
async def main(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    owner = caller(req)
    config = settings()
    request = await read_weights_request(req, config.max_body_bytes)
    accepted = await submit(client, owner, request, None)
    job_id = accepted.view.spec.id
    final = await wait_until_final(client, job_id, config.splitweights_wait_seconds)
    if final is None:
        return json_response(status_document(accepted.view), 202, polling_headers(accepted.view))
    outcome = await job_result(final)
    return json_response(outcome["result"]["assignment"], 200)
