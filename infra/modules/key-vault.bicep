// Key Vault with RBAC authorization, soft delete and purge protection. It holds the Azure
// Quantum workspace coordinates the app reads (shared/workspace.py), the gateway secret
// API Management and the app share (shared/auth.py) and the key that signs list tokens
// (shared/storage.py). No access policies: roles only.

param name string
param location string
param tags object
@description('ARM id of the Azure Quantum workspace (secret quantum-workspace-resource-id).')
param workspaceResourceId string
@description('Region of the workspace (secret quantum-workspace-location).')
param workspaceLocation string
@secure()
@description('The secret API Management sends and the app checks in gateway mode.')
param gatewaySecret string
@secure()
@description('The function key API Management sends; kept so the next azd deployment reuses it.')
param gatewayFunctionKey string
@secure()
@description('The key that signs list continuation tokens (QJOBS_LIST_TOKEN_KEY).')
param listTokenKey string
@description('The key webhook signing secrets are derived from (QJOBS_WEBHOOK_KEY).')
param webhookKey string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  // checkov:skip=CKV_AZURE_109: the Function App (Flex Consumption without a VNet) is not a trusted service for the vault firewall; access is by Entra ID role only
  // checkov:skip=CKV_AZURE_189: same reason: public network access stays on, guarded by RBAC
  // checkov:skip=CKV2_AZURE_32: no private endpoint: the app has no VNet (see README, Security)
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource resourceIdSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  // checkov:skip=CKV_AZURE_41: coordinates are not credentials; an expiry would only stop jobs silently
  parent: vault
  name: 'quantum-workspace-resource-id'
  properties: {
    value: workspaceResourceId
    contentType: 'text/plain'
  }
}

resource locationSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  // checkov:skip=CKV_AZURE_41: coordinates are not credentials; an expiry would only stop jobs silently
  parent: vault
  name: 'quantum-workspace-location'
  properties: {
    value: workspaceLocation
    contentType: 'text/plain'
  }
}

resource gateway 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  // checkov:skip=CKV_AZURE_41: replaced by each deployment that passes a new secret; an expiry would lock every caller out
  parent: vault
  name: 'gateway-secret'
  properties: {
    value: gatewaySecret
    contentType: 'text/plain'
  }
}

resource functionKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  // checkov:skip=CKV_AZURE_41: replaced by each deployment that passes a new key
  parent: vault
  name: 'gateway-function-key'
  properties: {
    value: gatewayFunctionKey
    contentType: 'text/plain'
  }
}

resource listTokenKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  // checkov:skip=CKV_AZURE_41: replaced by each deployment that passes a new key; an expiry would break every listing
  parent: vault
  name: 'list-token-key'
  properties: {
    value: listTokenKey
    contentType: 'text/plain'
  }
}

resource webhook 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  // checkov:skip=CKV_AZURE_41: clients' webhook secrets derive from it; an expiry would stop every delivery
  parent: vault
  name: 'webhook-key'
  properties: {
    value: webhookKey
    contentType: 'text/plain'
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
@description('Versioned: a rotated secret changes the app setting, which restarts the app.')
output gatewaySecretUri string = gateway.properties.secretUriWithVersion
@description('Versioned: a new key changes the app setting, which restarts the app.')
output listTokenKeyUri string = listTokenKeySecret.properties.secretUriWithVersion
@description('Versioned Key Vault URI of the webhook key (QJOBS_WEBHOOK_KEY).')
output webhookKeyUri string = webhook.properties.secretUriWithVersion
