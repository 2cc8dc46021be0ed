"""Reports which blob endpoint AzureWebJobsStorage names and whether it answers."""

import json
import os

import azure.functions as func
from azure.core.exceptions import AzureError
from azure.storage.blob import BlobServiceClient


def main(req: func.HttpRequest) -> func.HttpResponse:
    service = BlobServiceClient.from_connection_string(
        os.environ["AzureWebJobsStorage"],  # noqa: SIM112 (the Functions setting's name)
        retry_total=0,
        connection_timeout=2,
    )
    try:
        service.get_service_properties()
        reachable = True
    except AzureError:
        reachable = False
    body = {"endpoint": service.url, "reachable": reachable}
    return func.HttpResponse(json.dumps(body), mimetype="application/json")
