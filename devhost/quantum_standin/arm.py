"""The workspace's Azure Resource Manager resource on `management.azure.com`: what
azure-quantum 3.x reads first when given a resource id (or subscription, group and name)
instead of a connection string, to learn the workspace's location and data-plane
`endpointUri`. Only the one GET the SDK makes, with a bearer token for ARM's audience."""

from __future__ import annotations

from typing import Any

from devhost.managed_identity import ManagedIdentityEndpoint
from devhost.tls_proxy import Request, Response, json_response

from .auth import ARM_AUDIENCE, bearer_refusal
from .workspace_api import WorkspaceIdentity, azure_error

ARM_HOST = "management.azure.com"
ROUTE = "GET workspace (ARM)"


class ArmApi:
    def __init__(self, identity: WorkspaceIdentity, managed_identity: ManagedIdentityEndpoint):
        self.identity = identity
        self.managed_identity = managed_identity

    def route(self, request: Request) -> str:
        """The route's name, for call counts."""
        return ROUTE if self._is_workspace(request) else "unknown (ARM)"

    def handle(self, request: Request) -> Response:
        refusal = bearer_refusal(request, self.managed_identity, ARM_AUDIENCE)
        if refusal is not None:
            return refusal
        if not request.query.get("api-version"):
            return azure_error(
                400, "MissingApiVersionParameter", "The api-version query parameter is required."
            )
        if not self._is_workspace(request):
            return azure_error(
                404, "ResourceNotFound", f"The resource {request.path} was not found."
            )
        return json_response(200, self.resource())

    def resource(self) -> dict[str, Any]:
        identity = self.identity
        return {
            "id": identity.resource_id,
            "name": identity.name,
            "type": "Microsoft.Quantum/Workspaces",
            "location": identity.region,
            "tags": {},
            "identity": {"type": "SystemAssigned"},
            "properties": {
                "provisioningState": "Succeeded",
                "usable": "Yes",
                "endpointUri": f"https://{identity.host}",
                "workspaceKind": "V1",
            },
        }

    def _is_workspace(self, request: Request) -> bool:
        return request.method == "GET" and (
            request.path.rstrip("/").lower() == self.identity.resource_id.lower()
        )
