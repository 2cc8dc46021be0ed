// The Function App on Flex Consumption (Linux, Python): system-assigned managed identity,
// its own host storage reached by that identity, the Durable Task Scheduler as its Durable
// backend, and every app setting the code reads (tests/infra checks the list against the
// code; infra/app-settings-defaulted.json names those deliberately left to the code default).

param name string
param location string
param tags object
@description('The host storage account (AzureWebJobsStorage and the deployment package).')
param hostStorageName string
param hostBlobEndpoint string
param deploymentContainer string
param appInsightsConnectionString string
param durableConnectionString string
param jobBlobEndpoint string
param jobContainer string
param keyVaultUri string
@description('Versioned Key Vault URI of the gateway secret (QJOBS_GATEWAY_SECRET).')
param gatewaySecretUri string
@description('Versioned Key Vault URI of the list token key (QJOBS_LIST_TOKEN_KEY).')
param listTokenKeyUri string
@description('Versioned Key Vault URI of the webhook key (QJOBS_WEBHOOK_KEY).')
param webhookKeyUri string
param remoteTargets string
param retentionDays int
param purgeSchedule string
param maxJobsInFlight int
param maxSubmissionsPerMinute int
param localWorkers int
param maximumInstanceCount int
@allowed([2048, 4096])
param instanceMemoryMB int
@description('Always-ready instances per group (http, durable); 0 lets the app scale to zero.')
param alwaysReadyInstances int
@secure()
@description('The function key API Management sends (x-functions-key).')
param gatewayFunctionKey string

var alwaysReady = [
  { name: 'http', instanceCount: alwaysReadyInstances }
  { name: 'durable', instanceCount: alwaysReadyInstances }
]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${name}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  // checkov:skip=CKV_AZURE_225: zone redundancy for Flex Consumption is offered per region; turn on the plan's zoneRedundant where the region has it
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  // checkov:skip=CKV_AZURE_17: client certificates are not how callers authenticate; API Management authenticates them and proves itself with a function key and the gateway secret
  // checkov:skip=CKV_AZURE_56: App Service Authentication would need an Entra app registration; the gateway authenticates callers (see README, Callers' identity)
  // checkov:skip=CKV_AZURE_221: the app has no VNet; API Management calls its public endpoint with a function key
  // checkov:skip=CKV_AZURE_222: same reason: the public endpoint stays on for API Management, and every function needs a key
  // checkov:skip=CKV_AZURE_212: Flex Consumption scales out by itself; prod keeps one always-ready instance per group
  // checkov:skip=CKV_AZURE_213: Flex Consumption has no health-check setting; the platform replaces failed instances
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostBlobEndpoint}${deploymentContainer}'
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReadyInstances == 0 ? [] : alwaysReady
      }
      runtime: { name: 'python', version: '3.11' }
    }
  }
}

// checkov reads these app settings as the site's web config, so the web-config checks are
// skipped here with their reasons (pycep accepts at most five comment lines in a row).
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  // checkov:skip=CKV_AZURE_13: callers are authenticated by API Management (see README, Callers' identity)
  // checkov:skip=CKV_AZURE_222: see the site: its public endpoint stays on for API Management
  // checkov:skip=CKV_AZURE_63: IIS HTTP logs do not exist for Functions on Linux; Application Insights records every request
  // checkov:skip=CKV_AZURE_65: detailed error pages are an IIS feature; errors are problem+json and traces in Application Insights
  parent: site
  // checkov:skip=CKV_AZURE_66: failed request tracing is an IIS feature; Application Insights records failed requests
  // checkov:skip=CKV_AZURE_80: a Python app: no .NET Framework
  // checkov:skip=CKV_AZURE_88: the app keeps no files: state lives in Blob Storage and the Durable Task Scheduler
  name: 'appsettings'
  properties: {
    // The Functions host: its storage and telemetry through the managed identity.
    AzureWebJobsStorage__accountName: hostStorageName
    AzureWebJobsStorage__credential: 'managedidentity'
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
    // The Durable backend: the Durable Task Scheduler instead of host.json's default.
    DURABLE_TASK_SCHEDULER_CONNECTION_STRING: durableConnectionString
    AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
    AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
    QDK_PYTHON_TELEMETRY: 'none'
    // qjobs (shared/config.py, shared/workspace.py, shared/targets/catalog.py).
    QJOBS_AUTH_MODE: 'gateway'
    QJOBS_GATEWAY_SECRET: '@Microsoft.KeyVault(SecretUri=${gatewaySecretUri})'
    QJOBS_LIST_TOKEN_KEY: '@Microsoft.KeyVault(SecretUri=${listTokenKeyUri})'
    QJOBS_WEBHOOK_KEY: '@Microsoft.KeyVault(SecretUri=${webhookKeyUri})'
    QJOBS_BLOB_ACCOUNT_URL: jobBlobEndpoint
    QJOBS_BLOB_CONTAINER: jobContainer
    QJOBS_KEYVAULT_URL: keyVaultUri
    QJOBS_REMOTE_TARGETS: remoteTargets
    QJOBS_MAX_JOBS_IN_FLIGHT: string(maxJobsInFlight)
    QJOBS_MAX_SUBMISSIONS_PER_MINUTE: string(maxSubmissionsPerMinute)
    QJOBS_LOCAL_WORKERS: string(localWorkers)
    QJOBS_RETENTION_DAYS: string(retentionDays)
    QJOBS_PURGE_SCHEDULE: purgeSchedule
  }
}

// The key API Management's backend sends; only the gateway is given it.
resource gatewayKey 'Microsoft.Web/sites/host/functionKeys@2024-04-01' = {
  name: '${site.name}/default/apim'
  properties: {
    name: 'apim'
    value: gatewayFunctionKey
  }
  dependsOn: [appSettings]
}

output name string = site.name
output id string = site.id
output principalId string = site.identity.principalId
output hostName string = site.properties.defaultHostName
