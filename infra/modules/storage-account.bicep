// A storage account reached only with Entra ID: HTTPS, TLS 1.2+, no public blob access,
// shared-key access off, blob soft delete; `containers` are created with it, and with
// `expireBlobsAfterDays` a lifecycle rule deletes their blobs unmodified for that long.

param name string
param location string
param tags object
@description('Blob containers to create.')
param containers array = []
@description('Redundancy: Standard_LRS for dev, Standard_ZRS for prod.')
param skuName string = 'Standard_LRS'
@description('Delete blobs of `containers` not modified for this many days; 0: keep them.')
param expireBlobsAfterDays int = 0

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // checkov:skip=CKV_AZURE_33: no queue service is used by the accounts this module makes for job data
  // checkov:skip=CKV_AZURE_35: same reason as CKV_AZURE_59: a deny rule would lock the app out
  // checkov:skip=CKV_AZURE_59: the Function App (Flex Consumption without a VNet) reaches the account over its public endpoint, with Entra ID only
  // checkov:skip=CKV_AZURE_206: replication is a parameter: LRS in dev, ZRS in prod (GRS adds cost without a second-region app)
  // checkov:skip=CKV2_AZURE_1: Microsoft-managed keys; customer-managed keys add a Key Vault key lifecycle qjobs does not need
  // checkov:skip=CKV2_AZURE_33: no private endpoint: the app has no VNet (see README, Security)
  // checkov:skip=CKV2_AZURE_40: shared-key access is off (allowSharedKeyAccess: false); the check does not read the property
  // checkov:skip=CKV2_AZURE_41: no SAS is issued: every client uses Entra ID
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: skuName }
  properties: {
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: { enabled: true, days: 7 }
    containerDeleteRetentionPolicy: { enabled: true, days: 7 }
  }
}

resource created 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in containers: {
    parent: blobs
    name: container
    properties: { publicAccess: 'None' }
  }
]

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = if (expireBlobsAfterDays > 0 && !empty(containers)) {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-old-blobs'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: [for container in containers: '${container}/']
            }
            actions: {
              baseBlob: { delete: { daysAfterModificationGreaterThan: expireBlobsAfterDays } }
            }
          }
        }
      ]
    }
  }
}

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
