// Role assignments on the existing topic subscription that ingestion consumes, in the namespace's resource group.
// Scoped to the subscription, not the namespace: neither identity can read the other subscriptions of the topic
// (the operational consumer's, for one).
param namespaceName string
param topicName string
param subscriptionName string

@description('Principal (object) id of the app identity: receives and settles messages.')
param receiverPrincipalId string

@description('Principal (object) id of the scaler identity: reads the message count (Manage right).')
param scalerPrincipalId string

// Built-in roles: Azure Service Bus Data Receiver, Azure Service Bus Data Owner.
var dataReceiverRoleId = '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
var dataOwnerRoleId = '090c5cfd-751d-490a-894a-3ce6f1109419'

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: namespaceName

  resource topic 'topics' existing = {
    name: topicName

    resource subscription 'subscriptions' existing = {
      name: subscriptionName
    }
  }
}

resource receiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(namespace::topic::subscription.id, receiverPrincipalId, dataReceiverRoleId)
  scope: namespace::topic::subscription
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', dataReceiverRoleId)
    principalId: receiverPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource scaler 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(namespace::topic::subscription.id, scalerPrincipalId, dataOwnerRoleId)
  scope: namespace::topic::subscription
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', dataOwnerRoleId)
    principalId: scalerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// serviceBusEndpoint is https://<namespace host>:443/ (the host differs in sovereign clouds): keep the host only.
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
