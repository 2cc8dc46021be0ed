"""HTTP starter: POST /api/orchestrators/{name} with a JSON body as the input."""

import azure.durable_functions as df
import azure.functions as func


async def main(req: func.HttpRequest, starter: str) -> func.HttpResponse:
    client = df.DurableOrchestrationClient(starter)
    body = req.get_body()
    client_input = req.get_json() if body else None
    instance_id = await client.start_new(req.route_params["name"], None, client_input)
    return client.create_check_status_response(req, instance_id)
