import azure.functions as func


async def main(req: func.HttpRequest) -> func.HttpResponse:
    raise KeyError("secret-kaboom-async-4343")
