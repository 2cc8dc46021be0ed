"""POST /api/jobs: accept a job, answer 202 with where to poll it (with ?dry_run=true: 200
with its estimate, nothing stored)."""

import azure.durable_functions as df
import azure.functions as func

from shared.config import settings
from shared.http import caller, endpoint, json_response, polling_headers
from shared.jobs import status_document
from shared.submission import dry_run, parse_idempotency_key, read_job_request, submit


@endpoint
async def main(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    owner = caller(req)
    config = settings()
    request = await read_job_request(req, config.max_body_bytes, owner)
    if req.params.get("dry_run", "").lower() in ("true", "1"):
        return json_response(await dry_run(request, owner), 200)
    key = parse_idempotency_key(req.headers.get("idempotency-key"))
    accepted = await submit(client, owner, request, key)
    headers = polling_headers(accepted.view)
    if accepted.replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(status_document(accepted.view), 202, headers)
