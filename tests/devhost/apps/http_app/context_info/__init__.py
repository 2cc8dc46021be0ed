import json

import azure.functions as func


def main(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
    body = {
        "invocation_id": context.invocation_id,
        "function_name": context.function_name,
        "function_directory": context.function_directory,
    }
    return func.HttpResponse(json.dumps(body), mimetype="application/json")
