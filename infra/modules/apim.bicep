// API Management in front of the Function App: the API imported from shared/openapi.json,
// caller authentication (Entra ID or subscription keys), per-caller limits, result caching,
// and the gateway's proof to the app (function key + gateway secret, see shared/auth.py).

param name string
param location string
param tags object
@allowed(['Developer', 'BasicV2', 'StandardV2'])
param skuName string
param skuCapacity int = 1
param publisherEmail string
param publisherName string
@description('The Function App\'s host name; the backend is https://<host>/api.')
param functionAppHostName string
@secure()
param gatewayFunctionKey string
@secure()
param gatewaySecret string
@allowed(['entra-id', 'subscription-key'])
param callerAuthentication string
param entraTenantId string
@description('Audience (application ID URI or client id) of tokens for qjobs; entra-id mode only.')
param entraAudience string
param callsPerMinute int
param submissionsPerDay int
param resultCacheSeconds int
param logAnalyticsId string

var subscriptionKeys = callerAuthentication == 'subscription-key'
var subscriptionKeyFragment = loadTextContent('../apim/auth-subscription-key.xml')
var entraIdFragment = loadTextContent('../apim/auth-entra-id.xml')

resource apim 'Microsoft.ApiManagement/service@2024-05-01' = {
  // checkov:skip=CKV_AZURE_107: the gateway is qjobs' public entry point; its backend is reached over HTTPS with a function key
  // checkov:skip=CKV_AZURE_174: same reason: callers reach the gateway from the internet by design
  name: name
  location: location
  tags: tags
  sku: { name: skuName, capacity: skuCapacity }
  identity: { type: 'SystemAssigned' }
  properties: {
    publisherEmail: publisherEmail
    publisherName: publisherName
  }
}

resource gatewaySecretValue 'Microsoft.ApiManagement/service/namedValues@2024-05-01' = {
  parent: apim
  name: 'qjobs-gateway-secret'
  properties: { displayName: 'qjobs-gateway-secret', secret: true, value: gatewaySecret }
}

resource functionKeyValue 'Microsoft.ApiManagement/service/namedValues@2024-05-01' = {
  parent: apim
  name: 'qjobs-function-key'
  properties: { displayName: 'qjobs-function-key', secret: true, value: gatewayFunctionKey }
}

resource tenantValue 'Microsoft.ApiManagement/service/namedValues@2024-05-01' = {
  parent: apim
  name: 'qjobs-entra-tenant-id'
  properties: { displayName: 'qjobs-entra-tenant-id', value: entraTenantId }
}

resource audienceValue 'Microsoft.ApiManagement/service/namedValues@2024-05-01' = {
  parent: apim
  name: 'qjobs-entra-audience'
  properties: { displayName: 'qjobs-entra-audience', value: empty(entraAudience) ? 'unused' : entraAudience }
}

resource callsValue 'Microsoft.ApiManagement/service/namedValues@2024-05-01' = {
  parent: apim
  name: 'qjobs-calls-per-minute'
  properties: { displayName: 'qjobs-calls-per-minute', value: string(callsPerMinute) }
}

resource submissionsValue 'Microsoft.ApiManagement/service/namedValues@2024-05-01' = {
  parent: apim
  name: 'qjobs-submissions-per-day'
  properties: { displayName: 'qjobs-submissions-per-day', value: string(submissionsPerDay) }
}

resource cacheValue 'Microsoft.ApiManagement/service/namedValues@2024-05-01' = {
  parent: apim
  name: 'qjobs-result-cache-seconds'
  properties: { displayName: 'qjobs-result-cache-seconds', value: string(resultCacheSeconds) }
}

resource backend 'Microsoft.ApiManagement/service/backends@2024-05-01' = {
  parent: apim
  name: 'qjobs-functions'
  properties: {
    protocol: 'http'
    url: 'https://${functionAppHostName}/api'
    credentials: {
      header: { 'x-functions-key': ['{{qjobs-function-key}}'] }
    }
    tls: { validateCertificateChain: true, validateCertificateName: true }
  }
  dependsOn: [functionKeyValue]
}

resource callerAuth 'Microsoft.ApiManagement/service/policyFragments@2024-05-01' = {
  parent: apim
  name: 'qjobs-caller-auth'
  properties: {
    format: 'rawxml'
    value: subscriptionKeys ? subscriptionKeyFragment : entraIdFragment
  }
  dependsOn: [tenantValue, audienceValue]
}

resource api 'Microsoft.ApiManagement/service/apis@2024-05-01' = {
  parent: apim
  name: 'qjobs'
  properties: {
    displayName: 'qjobs'
    path: 'api'
    protocols: ['https']
    format: 'openapi+json'
    value: loadTextContent('../../shared/openapi.json')
    subscriptionRequired: subscriptionKeys
    subscriptionKeyParameterNames: { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' }
  }
}

resource apiPolicy 'Microsoft.ApiManagement/service/apis/policies@2024-05-01' = {
  parent: api
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: loadTextContent('../apim/api-policy.xml')
  }
  dependsOn: [callerAuth, backend, gatewaySecretValue, callsValue, submissionsValue]
}

resource resultOperation 'Microsoft.ApiManagement/service/apis/operations@2024-05-01' existing = {
  parent: api
  name: 'getJobResult'
}

resource resultPolicy 'Microsoft.ApiManagement/service/apis/operations/policies@2024-05-01' = {
  parent: resultOperation
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: loadTextContent('../apim/result-policy.xml')
  }
  dependsOn: [apiPolicy, cacheValue]
}

// The deploy workflow's smoke test calls through the gateway with this subscription's key
// (read at run time with the workflow's OIDC login; never stored).
resource smokeTest 'Microsoft.ApiManagement/service/subscriptions@2024-05-01' = if (subscriptionKeys) {
  parent: apim
  name: 'smoke-test'
  properties: {
    displayName: 'qjobs smoke test (deploy workflow)'
    scope: api.id
    state: 'active'
  }
}

resource gatewayLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'gateway-logs'
  scope: apim
  properties: {
    workspaceId: logAnalyticsId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [{ categoryGroup: 'allLogs', enabled: true }]
  }
}

output name string = apim.name
output gatewayUrl string = apim.properties.gatewayUrl
