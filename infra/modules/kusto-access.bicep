// ADX database principal assignments for the app identity on the existing cluster, in the cluster's resource group:
// Viewer to run the stored functions (and the ingestion's duplicate lookups), Ingestor to ingest. Neither may
// create or alter tables or functions: `kqlgate deploy` runs as a person or pipeline with Admin on the database.
param clusterName string
param databaseName string

@description('Client (application) id of the app identity: ADX principal assignments name apps by application id.')
param appClientId string

param tenantId string

resource cluster 'Microsoft.Kusto/clusters@2024-04-13' existing = {
  name: clusterName

  resource database 'databases' existing = {
    name: databaseName
  }
}

resource viewer 'Microsoft.Kusto/clusters/databases/principalAssignments@2024-04-13' = {
  parent: cluster::database
  name: guid(cluster::database.id, appClientId, 'Viewer')
  properties: {
    principalId: appClientId
    principalType: 'App'
    role: 'Viewer'
    tenantId: tenantId
  }
}

resource ingestor 'Microsoft.Kusto/clusters/databases/principalAssignments@2024-04-13' = {
  parent: cluster::database
  name: guid(cluster::database.id, appClientId, 'Ingestor')
  properties: {
    principalId: appClientId
    principalType: 'App'
    role: 'Ingestor'
    tenantId: tenantId
  }
  // The cluster applies one principal change at a time on a database; in parallel the second one fails.
  dependsOn: [viewer]
}

output clusterUri string = cluster.properties.uri
output ingestUri string = cluster.properties.dataIngestionUri
