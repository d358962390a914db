// Two user-assigned identities:
// - the app identity: what kqlgate itself authenticates as (DefaultAzureCredential with AZURE_CLIENT_ID): pulls the
//   image, receives from the Service Bus subscription, queries and ingests into the ADX database;
// - the scaler identity: used only by the ingestion app's KEDA scale rule, which reads the subscription's message
//   count through Service Bus's management endpoint and so needs the Manage right (Azure Service Bus Data Owner),
//   which no data-receiving role includes.
param location string
param tags object
param appIdentityName string
param scalerIdentityName string

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: appIdentityName
  location: location
  tags: tags
}

resource scalerIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: scalerIdentityName
  location: location
  tags: tags
}

output appIdentityId string = appIdentity.id
output appPrincipalId string = appIdentity.properties.principalId
output appClientId string = appIdentity.properties.clientId
output scalerIdentityId string = scalerIdentity.id
output scalerPrincipalId string = scalerIdentity.properties.principalId
output scalerClientId string = scalerIdentity.properties.clientId
