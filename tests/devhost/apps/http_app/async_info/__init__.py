"""Async function: reports whether it runs on an asyncio loop (it must)."""

import asyncio
import json
import threading

import azure.functions as func


async def main(req: func.HttpRequest) -> func.HttpResponse:
    await asyncio.sleep(0)
    body = {
        "kind": "async",
        "loop_in_thread": asyncio.get_running_loop().is_running(),
        "thread": threading.current_thread().name,
    }
    return func.HttpResponse(json.dumps(body), mimetype="application/json")
