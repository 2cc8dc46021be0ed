"""The Azure credential qjobs uses for Key Vault and Blob Storage (account URL).

On Azure Functions this is the app's managed identity: DefaultAzureCredential's
ManagedIdentityCredential finds it through IDENTITY_ENDPOINT and IDENTITY_HEADER. On a
developer machine the same chain falls through to the Azure CLI / azd / PowerShell login.
The aio chain never opens an interactive browser (it has no such credential).
"""

from __future__ import annotations

import asyncio
import threading
import weakref

from azure.core.credentials_async import AsyncTokenCredential
from azure.identity.aio import DefaultAzureCredential

# aio credentials keep an aiohttp session, which belongs to the loop that opened it.
_credentials: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncTokenCredential] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def azure_credential() -> AsyncTokenCredential:
    """The running event loop's DefaultAzureCredential, created on first use.

    Call it from a coroutine. Clients take it as their credential; don't close it.
    """
    loop = asyncio.get_running_loop()
    with _lock:
        credential = _credentials.get(loop)
        if credential is None:
            credential = _credentials[loop] = DefaultAzureCredential()
        return credential


async def close_azure_credential() -> None:
    """Close and forget the running loop's credential, for a host or script that ends its loop.

    A loop that ends with a used credential still open leaves its aiohttp session behind
    ("Unclosed client session" at exit).
    """
    with _lock:
        credential = _credentials.pop(asyncio.get_running_loop(), None)
    if credential is not None:
        await credential.close()
