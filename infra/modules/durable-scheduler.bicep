// The Durable Task Scheduler: the Durable backend in Azure (README: Capacity plan). The app
// reaches it with its managed identity (Durable Task Data Contributor, app-roles.bicep).

param name string
param location string
param tags object
@description('Task hub name: host.json extensions.durableTask.hubName.')
param taskHubName string
@allowed(['Consumption', 'Dedicated'])
param skuName string
@description('Capacity units (Dedicated only): 2,000 actions/s each, at most 3.')
param capacity int = 1

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // An empty list denies all traffic; access is decided by Entra ID roles.
    ipAllowlist: ['0.0.0.0/0']
    sku: skuName == 'Dedicated' ? { name: skuName, capacity: capacity } : { name: skuName }
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

output name string = scheduler.name
output id string = scheduler.id
output connectionString string = 'Endpoint=${scheduler.properties.endpoint};Authentication=ManagedIdentity'
