// The Function App's access to the workspace, granted in the quantum resource group.
//
// Quantum Workspace Data Contributor is the narrowest built-in role that can submit, read
// and cancel jobs: data actions Workspaces/jobs/read and jobs/write, plus Workspaces/read,
// which the azure-quantum SDK needs to look up the workspace endpoint in Azure Resource
// Manager. It has no control-plane write, so the app cannot change providers, keys or the
// workspace itself (Contributor or Owner could).

param workspaceName string
param principalId string

var quantumWorkspaceDataContributor = 'c1410b24-3e69-4857-8f86-4d0a2e603250'

resource workspace 'Microsoft.Quantum/workspaces@2023-11-13-preview' existing = {
  name: workspaceName
}

resource submitJobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, principalId, quantumWorkspaceDataContributor)
  scope: workspace
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', quantumWorkspaceDataContributor)
  }
}
