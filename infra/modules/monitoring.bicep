// Log Analytics and workspace-based Application Insights. Local auth is off: the app sends
// telemetry with its managed identity (Monitoring Metrics Publisher, see app-roles.bicep).

param name string
param location string
param tags object
@description('Days Log Analytics keeps data (30 for dev, 90 for prod).')
param retentionInDays int

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${name}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${name}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

output appInsightsName string = insights.name
output appInsightsId string = insights.id
output connectionString string = insights.properties.ConnectionString
output logAnalyticsId string = logs.id
