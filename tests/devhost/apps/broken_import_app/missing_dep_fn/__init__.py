import azure.functions as func

# Deliberately missing: devhost must refuse to start and name this folder.
import qjobs_no_such_module_xyz  # noqa: F401


def main(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("unreachable")
