"""Appends one JSON line per invocation to the file named by TIMER_LOG."""

import json
import os
import time

import azure.functions as func


def main(timer: func.TimerRequest, context: func.Context) -> None:
    line = {
        "function": context.function_name,
        "at": time.time(),
        "past_due": timer.past_due,
        "schedule_status": timer.schedule_status,
        "schedule": timer.schedule,
    }
    with open(os.environ["TIMER_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(line) + "\n")
