import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    raise ValueError("secret-kaboom-sync-4242")
