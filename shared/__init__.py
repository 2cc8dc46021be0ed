"""qjobs' domain: everything the function folders share."""

import logging

# The Azure SDKs log every HTTP request at INFO (URLs and headers); keep job logs readable.
logging.getLogger("azure.core.pipeline.policies.http_logging_policy").setLevel(logging.WARNING)
logging.getLogger("azure.identity").setLevel(logging.WARNING)
