// qjobs in one subscription: two resource groups with their own lifecycles.
//
//   rg-<env>-quantum  the quantum environment: Azure Quantum workspace, providers, storage.
//                     Long-lived; redeploying it changes nothing that exists.
//   rg-<env>          the classical environment: Function App (Flex Consumption), its host
//                     storage, job-data storage, Key Vault, Durable Task Scheduler,
//                     Application Insights + Log Analytics, alerts, API Management.
//                     Redeployable at will.
//
// `profile` picks the dev or prod shape (sizes, SKUs, limits) below; parameter files:
// infra/env/<profile>.parameters.json, and main.parameters.json for azd.

targetScope = 'subscription'

@minLength(1)
@maxLength(20)
@description('Environment name (azd: AZURE_ENV_NAME); names the resource groups and resources.')
param environmentName string

@minLength(1)
@description('Region of the classical environment.')
param location string

@allowed(['dev', 'prod'])
param profile string = 'dev'

@description('Region of the Azure Quantum workspace (where the providers are offered).')
param quantumLocation string = location

@description('Workspace providers and SKUs.')
param quantumProviders array = [
  { providerId: 'ionq', providerSku: 'pay-as-you-go-cred' }
  { providerId: 'quantinuum', providerSku: 'credits1' }
  { providerId: 'rigetti', providerSku: 'azure-quantum-credits' }
]

@description('Azure Quantum targets qjobs offers (QJOBS_REMOTE_TARGETS).')
param remoteTargets string = 'ionq.simulator,quantinuum.sim.h2-1e,rigetti.sim.qvm'

@minValue(1)
@description('Days a job is kept once final (QJOBS_RETENTION_DAYS); the purge_jobs timer forgets it then.')
param retentionDays int = 30

@description('When purge_jobs runs (QJOBS_PURGE_SCHEDULE, six-field NCRONTAB, UTC): hourly.')
param purgeSchedule string = '0 0 * * * *'

@allowed(['entra-id', 'subscription-key'])
@description('How API Management authenticates callers.')
param callerAuthentication string = 'subscription-key'

@description('Audience of callers\' Entra ID tokens (entra-id mode).')
param entraAudience string = ''

param publisherEmail string
param publisherName string = 'qjobs'

@description('E-mail that receives alerts; empty: none.')
param alertEmail string = ''

@secure()
@minLength(32)
@description('Shared by API Management and the app (QJOBS_GATEWAY_SECRET); kept in Key Vault.')
param gatewaySecret string

@secure()
@minLength(32)
@description('The function key API Management sends (x-functions-key).')
param gatewayFunctionKey string

@secure()
@minLength(32)
@description('Signs GET /api/jobs continuation tokens (QJOBS_LIST_TOKEN_KEY); kept in Key Vault. A new one makes earlier tokens answer 400.')
param listTokenKey string

@secure()
@minLength(32)
@description('Every client\'s webhook signing secret is derived from it (QJOBS_WEBHOOK_KEY); kept in Key Vault.')
param webhookKey string

var shapes = {
  dev: {
    apimSku: 'Developer'
    schedulerSku: 'Consumption'
    maximumInstanceCount: 10
    instanceMemoryMB: 2048
    alwaysReadyInstances: 0
    localWorkers: 1
    storageSku: 'Standard_LRS'
    logRetentionDays: 30
    callsPerMinute: 300
    submissionsPerDay: 2000
    maxJobsInFlight: 20
    maxSubmissionsPerMinute: 60
    backlogGrowthThreshold: 200
  }
  prod: {
    apimSku: 'StandardV2'
    schedulerSku: 'Dedicated'
    maximumInstanceCount: 40
    instanceMemoryMB: 4096
    alwaysReadyInstances: 1
    localWorkers: 2
    storageSku: 'Standard_ZRS'
    logRetentionDays: 90
    callsPerMinute: 1200
    submissionsPerDay: 20000
    maxJobsInFlight: 100
    maxSubmissionsPerMinute: 120
    backlogGrowthThreshold: 2000
  }
}
var shape = shapes[profile]
var tags = { 'azd-env-name': environmentName, app: 'qjobs', profile: profile }
var suffix = uniqueString(subscription().id, environmentName)
var hubName = loadJsonContent('../host.json').extensions.durableTask.hubName
var jobContainer = 'qjobs'
var deploymentContainer = 'deployment'

resource classical 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

resource quantum 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}-quantum'
  location: quantumLocation
  tags: tags
}

module workspace 'modules/quantum-workspace.bicep' = {
  scope: quantum
  name: 'quantum-workspace'
  params: {
    name: 'quantum-${environmentName}-${take(suffix, 6)}'
    location: quantumLocation
    tags: tags
    providers: quantumProviders
    storage: take('stquantum${suffix}', 24)
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: classical
  name: 'monitoring'
  params: {
    name: '${environmentName}-${take(suffix, 6)}'
    location: location
    tags: tags
    retentionInDays: shape.logRetentionDays
  }
}

module jobStorage 'modules/storage-account.bicep' = {
  scope: classical
  name: 'job-storage'
  params: {
    name: take('stjobs${suffix}', 24)
    location: location
    tags: tags
    containers: [jobContainer]
    skuName: shape.storageSku
    // Backstop to purge_jobs: a job blob untouched for retention + margin is deleted by
    // Azure even if the timer stopped. The margin outlasts the longest job (7 days on a
    // QPU), whose Idempotency-Key claim is written when it starts.
    expireBlobsAfterDays: retentionDays + 14
  }
}

module hostStorage 'modules/storage-account.bicep' = {
  scope: classical
  name: 'host-storage'
  params: {
    name: take('sthost${suffix}', 24)
    location: location
    tags: tags
    containers: [deploymentContainer]
    skuName: shape.storageSku
  }
}

module vault 'modules/key-vault.bicep' = {
  scope: classical
  name: 'key-vault'
  params: {
    name: take('kv-${environmentName}-${suffix}', 24)
    location: location
    tags: tags
    workspaceResourceId: workspace.outputs.id
    workspaceLocation: workspace.outputs.location
    gatewaySecret: gatewaySecret
    gatewayFunctionKey: gatewayFunctionKey
    listTokenKey: listTokenKey
    webhookKey: webhookKey
  }
}

module scheduler 'modules/durable-scheduler.bicep' = {
  scope: classical
  name: 'durable-scheduler'
  params: {
    name: 'dts-${environmentName}-${take(suffix, 6)}'
    location: location
    tags: tags
    taskHubName: hubName
    skuName: shape.schedulerSku
  }
}

module app 'modules/function-app.bicep' = {
  scope: classical
  name: 'function-app'
  params: {
    name: 'func-${environmentName}-${take(suffix, 6)}'
    location: location
    tags: tags
    hostStorageName: hostStorage.outputs.name
    hostBlobEndpoint: hostStorage.outputs.blobEndpoint
    deploymentContainer: deploymentContainer
    appInsightsConnectionString: monitoring.outputs.connectionString
    durableConnectionString: scheduler.outputs.connectionString
    jobBlobEndpoint: jobStorage.outputs.blobEndpoint
    jobContainer: jobContainer
    keyVaultUri: vault.outputs.uri
    gatewaySecretUri: vault.outputs.gatewaySecretUri
    listTokenKeyUri: vault.outputs.listTokenKeyUri
    webhookKeyUri: vault.outputs.webhookKeyUri
    remoteTargets: remoteTargets
    retentionDays: retentionDays
    purgeSchedule: purgeSchedule
    maxJobsInFlight: shape.maxJobsInFlight
    maxSubmissionsPerMinute: shape.maxSubmissionsPerMinute
    localWorkers: shape.localWorkers
    maximumInstanceCount: shape.maximumInstanceCount
    instanceMemoryMB: shape.instanceMemoryMB
    alwaysReadyInstances: shape.alwaysReadyInstances
    gatewayFunctionKey: gatewayFunctionKey
  }
}

module appRoles 'modules/app-roles.bicep' = {
  scope: classical
  name: 'app-roles'
  params: {
    principalId: app.outputs.principalId
    keyVaultName: vault.outputs.name
    jobStorageName: jobStorage.outputs.name
    hostStorageName: hostStorage.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    schedulerName: scheduler.outputs.name
  }
}

module quantumAccess 'modules/quantum-access.bicep' = {
  scope: quantum
  name: 'quantum-access'
  params: {
    workspaceName: workspace.outputs.name
    principalId: app.outputs.principalId
  }
}

module gateway 'modules/apim.bicep' = {
  scope: classical
  name: 'api-management'
  params: {
    name: 'apim-${environmentName}-${take(suffix, 6)}'
    location: location
    tags: tags
    skuName: shape.apimSku
    publisherEmail: publisherEmail
    publisherName: publisherName
    functionAppHostName: app.outputs.hostName
    gatewayFunctionKey: gatewayFunctionKey
    gatewaySecret: gatewaySecret
    callerAuthentication: callerAuthentication
    entraTenantId: tenant().tenantId
    entraAudience: entraAudience
    callsPerMinute: shape.callsPerMinute
    submissionsPerDay: shape.submissionsPerDay
    resultCacheSeconds: 3600
    logAnalyticsId: monitoring.outputs.logAnalyticsId
  }
}

module alerts 'modules/alerts.bicep' = {
  scope: classical
  name: 'alerts'
  params: {
    namePrefix: environmentName
    location: location
    tags: tags
    appInsightsId: monitoring.outputs.appInsightsId
    alertEmail: alertEmail
    backlogGrowthThreshold: shape.backlogGrowthThreshold
  }
}

output AZURE_RESOURCE_GROUP string = classical.name
output QUANTUM_RESOURCE_GROUP string = quantum.name
output FUNCTION_APP_NAME string = app.outputs.name
output APIM_NAME string = gateway.outputs.name
output QJOBS_GATEWAY_URL string = '${gateway.outputs.gatewayUrl}/api'
output QUANTUM_WORKSPACE_ID string = workspace.outputs.id
output AZURE_KEY_VAULT_NAME string = vault.outputs.name
