"""devhost: a local Azure Functions host with a Durable Functions engine.

It loads the same function folders that Azure Functions runs, serves their HTTP
triggers, and runs orchestrations and activities through the official
``azure-functions`` and ``azure-functions-durable`` packages, persisting
durable state in SQLite.
"""

# What devhost and its tools create (durable state, keys, Azurite's blobs, the stand-in's
# test CA) holds every client's job data or secrets: readable by its owner only.
PRIVATE_UMASK = 0o077
