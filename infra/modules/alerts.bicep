// Alerts on the job event lines (shared/job_events.py) in Application Insights: a spike in
// the share of failed jobs, and a growing Durable backlog (jobs submitted faster than they
// finish). The same queries are in README (Monitoring).

param namePrefix string
param location string
param tags object
param appInsightsId string
@description('E-mail for alerts; empty: alerts fire into Azure Monitor only.')
param alertEmail string
@description('Alert when more than this share of the jobs that finished in 15 minutes failed.')
param failureRateThreshold string = '0.2'
@description('Alert when, in one hour, this many more jobs were submitted than finished.')
param backlogGrowthThreshold int

var events = 'traces | where message startswith "qjobs.job " | extend e = parse_json(substring(message, 10))'

var operators = [{ name: 'operators', emailAddress: alertEmail, useCommonAlertSchema: true }]

resource group 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take('qjobs${namePrefix}', 12)
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : operators
  }
}

resource failureSpike 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'alert-${namePrefix}-failure-rate'
  location: location
  tags: tags
  properties: {
    displayName: 'qjobs: failed jobs spike'
    description: 'More than ${failureRateThreshold} of the jobs that finished in 15 minutes failed (at least 10 jobs).'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: '${events} | where tostring(e.event) == "finished" | summarize jobs = dcount(tostring(e.job_id)), failed = dcountif(tostring(e.job_id), tostring(e.state) == "failed") | where jobs >= 10 and todouble(failed) / jobs > ${failureRateThreshold}'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: [group.id] }
  }
}

resource backlogGrowth 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'alert-${namePrefix}-backlog-growth'
  location: location
  tags: tags
  properties: {
    displayName: 'qjobs: Durable backlog growing'
    description: 'In the last hour ${backlogGrowthThreshold} or more jobs were submitted than finished.'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: '${events} | summarize submitted = dcountif(tostring(e.job_id), tostring(e.event) == "submitted"), finished = dcountif(tostring(e.job_id), tostring(e.event) == "finished") | where submitted - finished >= ${backlogGrowthThreshold}'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 2, minFailingPeriodsToAlert: 2 }
        }
      ]
    }
    actions: { actionGroups: [group.id] }
  }
}
