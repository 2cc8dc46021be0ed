// The quantum environment, in its own resource group with its own lifecycle: the Azure
// Quantum workspace, its providers and its linked storage.

param name string
param location string
param tags object
@description('Providers and their SKUs, e.g. {providerId: \'ionq\', providerSku: \'pay-as-you-go-cred\'}.')
param providers array
@description('The linked storage account\'s name (3-24 lowercase letters and digits).')
param storage string
// The workspace identity needs Contributor on its linked storage (Azure Quantum's requirement).
var contributor = 'b24988ac-6180-42a0-ab88-20f7382dd24c'

resource linkedStorage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // checkov:skip=CKV_AZURE_33: no queue service is used
  // checkov:skip=CKV_AZURE_35: same reason as CKV_AZURE_59: providers must reach the account
  // checkov:skip=CKV_AZURE_59: Azure Quantum and its providers reach job data over the public endpoint with SAS URIs the service issues
  // checkov:skip=CKV_AZURE_206: job data of a workspace is transient; LRS is enough
  // checkov:skip=CKV2_AZURE_1: Microsoft-managed keys
  // checkov:skip=CKV2_AZURE_33: providers need to reach the account; no private endpoint
  // checkov:skip=CKV2_AZURE_38: job containers are managed by Azure Quantum; soft delete adds cost without a restore story
  // checkov:skip=CKV2_AZURE_40: Azure Quantum issues account-key SAS URIs for job data, which need shared-key access (untested without it)
  // checkov:skip=CKV2_AZURE_41: the SAS URIs are issued and scoped by Azure Quantum, not by qjobs
  name: storage
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource workspace 'Microsoft.Quantum/workspaces@2023-11-13-preview' = {
  name: name
  location: location
  tags: tags
  identity: { type: 'SystemAssigned' }
  properties: {
    providers: providers
    storageAccount: linkedStorage.id
  }
}

resource workspaceOnStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(linkedStorage.id, workspace.id, contributor)
  scope: linkedStorage
  properties: {
    principalId: workspace.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', contributor)
  }
}

output id string = workspace.id
output name string = workspace.name
output location string = workspace.location
