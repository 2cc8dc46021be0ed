"""GET /api/jobs/{id}/input: the job's kind, name, target and fields as submitted."""

import azure.durable_functions as df
import azure.functions as func

from shared.http import caller, endpoint, json_response
from shared.inputs import job_input
from shared.job_control import read_job


@endpoint
async def main(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    view = await read_job(client, req.route_params["id"], caller(req))
    return json_response(await job_input(view), 200)
