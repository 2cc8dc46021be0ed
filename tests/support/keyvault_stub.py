"""A local Azure Key Vault that the real SDK and DefaultAzureCredential talk to unchanged.

It serves, on a local TLS proxy (devhost.tls_proxy; its own, or one it is attached to):

- the proxy's managed-identity endpoint (devhost.managed_identity: `GET /msi/token`, which
  `ManagedIdentityCredential` finds through IDENTITY_ENDPOINT and IDENTITY_HEADER), shared
  with any other stand-in on the same proxy;
- the Key Vault secrets API for `<vault-name>.vault.azure.net`, through the proxy's TLS tunnel.

Why a proxy: SecretClient checks that the vault's host ends with the challenge's resource
domain (`.vault.azure.net`), and only a real vault host name passes that check with
verification on, as production runs it. HTTPS_PROXY makes that name reachable without DNS.

In process: `with KeyVaultStub({"name": "value"}) as stub: ...`, then `stub.env()` holds
the variables a client process needs; `KeyVaultStub(..., proxy=other_proxy)` attaches it to
a proxy another stand-in owns, so one client process needs one HTTPS_PROXY. As a program:
`python tests/support/keyvault_stub.py --port P --cert-dir DIR --secret name=value ...`
prints one JSON line (the attributes and `env`) once it serves, and runs until stopped.
"""

from __future__ import annotations

import argparse
import collections
import json
import signal
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

if __name__ == "__main__":  # run as a program: make the repo's devhost package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from devhost.managed_identity import managed_identity  # noqa: E402
from devhost.tls_proxy import Request, Response, TlsProxy, error_body, json_response  # noqa: E402

VAULT_RESOURCE = "https://vault.azure.net"


class KeyVaultStub:
    """The stub's state and lifecycle. `requests` counts every vault request by path
    (`identity.requests` counts token requests); `lookups` counts authorized secret requests
    (found or not) by secret name. Setting `delay` makes those wait that long before
    answering (a vault that does not answer)."""

    def __init__(
        self,
        secrets: Mapping[str, str],
        *,
        port: int = 0,
        cert_dir: Path | None = None,
        vault_name: str = "qjobs-stub",
        proxy: TlsProxy | None = None,
    ) -> None:
        self.secrets = dict(secrets)
        self.versions = {name: uuid.uuid4().hex for name in self.secrets}
        self.vault_host = f"{vault_name}.vault.azure.net"
        self.url = f"https://{self.vault_host}"
        self.tenant_id = str(uuid.uuid4())
        self.requests: collections.Counter[str] = collections.Counter()
        self.lookups: collections.Counter[str] = collections.Counter()
        self.delay = 0.0
        self._owns_proxy = proxy is None
        self.proxy = proxy or TlsProxy(port=port, cert_dir=cert_dir)
        self.identity = managed_identity(self.proxy)
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    @property
    def port(self) -> int:
        return self.proxy.port

    @property
    def proxy_url(self) -> str:
        return self.proxy.url

    @property
    def ca_file(self) -> Path:
        return self.proxy.ca_file

    @property
    def identity_endpoint(self) -> str:
        return self.identity.url

    @property
    def identity_header(self) -> str:
        return self.identity.header

    def token(self, resource: str = VAULT_RESOURCE) -> str:
        """The access token the managed identity issues for `resource` (one per resource)."""
        return self.identity.token(resource)

    def env(self) -> dict[str, str]:
        """The variables that point an unchanged client process at this stub."""
        return {
            "QJOBS_KEYVAULT_URL": self.url,
            **self.identity.env(),
            **self.proxy.env(),
        }

    def start(self) -> KeyVaultStub:
        self._stopped.clear()
        self.proxy.serve_tls(self.vault_host, self._serve_vault)
        if self._owns_proxy:
            self.proxy.start()
        return self

    def stop(self) -> None:
        """Stop answering; stop the proxy if the stub made it."""
        self._stopped.set()
        if self._owns_proxy:
            self.proxy.stop()

    def __enter__(self) -> KeyVaultStub:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _count(self, counter: collections.Counter[str], key: str) -> None:
        with self._lock:
            counter[key] += 1

    def _serve_vault(self, request: Request) -> Response:
        """The Key Vault secrets API, spoken over the TLS tunnel."""
        self._count(self.requests, request.path)
        parts = request.path.strip("/").split("/")
        if request.method != "GET" or parts[0] != "secrets" or len(parts) not in (2, 3):
            return Response(404, error_body("NotFound", "No such endpoint in this stub."))
        if not request.query.get("api-version"):
            missing = error_body("BadParameter", "The api-version parameter is missing.")
            return Response(400, missing)
        if not self.identity.authorizes(request.headers.get("Authorization"), VAULT_RESOURCE):
            challenge = (
                f'Bearer authorization="https://login.microsoftonline.com/{self.tenant_id}", '
                f'resource="{VAULT_RESOURCE}"'
            )
            return Response(
                401,
                error_body("Unauthorized", "AKV10000: Request is missing a valid Bearer token."),
                {"WWW-Authenticate": challenge},
            )
        self._count(self.lookups, parts[1])
        if self.delay > 0:
            self._stopped.wait(self.delay)
        return self._secret(parts[1], parts[2] if len(parts) == 3 else None)

    def _secret(self, name: str, version: str | None) -> Response:
        if name not in self.secrets or version not in (None, self.versions[name]):
            return Response(
                404,
                error_body(
                    "SecretNotFound",
                    f"A secret with (name/id) {name} was not found in this key vault.",
                ),
            )
        created = int(time.time()) - 60
        return json_response(
            200,
            {
                "value": self.secrets[name],
                "id": f"{self.url}/secrets/{name}/{self.versions[name]}",
                "attributes": {
                    "enabled": True,
                    "created": created,
                    "updated": created,
                    "recoveryLevel": "Recoverable+Purgeable",
                    "recoverableDays": 90,
                },
                "tags": {},
            },
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert-dir", type=Path, required=True)
    parser.add_argument("--vault-name", default="qjobs-stub")
    parser.add_argument("--secret", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    values = dict(item.split("=", 1) for item in args.secret)
    stub = KeyVaultStub(values, port=args.port, cert_dir=args.cert_dir, vault_name=args.vault_name)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with stub:
        ready = {
            "url": stub.url,
            "proxy_url": stub.proxy_url,
            "identity_endpoint": stub.identity_endpoint,
            "identity_header": stub.identity_header,
            "ca_file": str(stub.ca_file),
            "env": stub.env(),
        }
        print(json.dumps(ready), flush=True)
        stop.wait()


if __name__ == "__main__":
    sys.exit(main())
