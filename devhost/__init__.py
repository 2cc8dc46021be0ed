"""devhost: a local Azure Functions host with a Durable Functions engine.

It loads the same function folders that Azure Functions runs, serves their HTTP
triggers, and runs orchestrations and activities through the official
``azure-functions`` and ``azure-functions-durable`` packages, persisting
durable state in SQLite.
"""
