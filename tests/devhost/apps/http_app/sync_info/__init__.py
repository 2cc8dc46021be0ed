"""Sync function: reports whether an asyncio loop runs in its thread."""

import asyncio
import json
import threading

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    try:
        asyncio.get_running_loop()
        loop_in_thread = True
    except RuntimeError:
        loop_in_thread = False
    body = {
        "kind": "sync",
        "loop_in_thread": loop_in_thread,
        "thread": threading.current_thread().name,
    }
    return func.HttpResponse(json.dumps(body), mimetype="application/json")
