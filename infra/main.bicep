// kqlgate on Azure Container Apps, for `azd up` (azure.yaml at the repository root).
//
// One image, two container apps: the gateway (KQLGATE_ROLE=gateway: HTTP ingress, scaled on concurrent requests) and
// the ingestion consumer (KQLGATE_ROLE=ingestion: no ingress, scaled by KEDA on the Service Bus subscription's
// backlog). The Service Bus namespace and the ADX cluster already exist, usually in resource groups of their own; this
// template only grants the app's managed identity what it needs on them.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and seeds the resource names.')
param environmentName string

@minLength(1)
@description('Azure region of the new resources (the existing Service Bus namespace and ADX cluster may be elsewhere).')
param location string

// ── the existing Service Bus topic subscription that ingestion consumes ─────────────────────────────────────────────
@description('Name (not host name) of the existing Service Bus namespace, e.g. myns for myns.servicebus.windows.net.')
param serviceBusNamespaceName string

@description('Resource group of the Service Bus namespace.')
param serviceBusResourceGroupName string

@description('Topic the OLTP application publishes to (SERVICEBUS_TOPIC).')
param serviceBusTopicName string = 'oltp-events'

@description('Subscription of that topic that kqlgate consumes (SERVICEBUS_SUBSCRIPTION).')
param serviceBusSubscriptionName string = 'analytics'

// ── the existing Azure Data Explorer database ───────────────────────────────────────────────────────────────────────
@description('Name of the existing ADX cluster.')
param kustoClusterName string

@description('Resource group of the ADX cluster.')
param kustoResourceGroupName string

@description('ADX database the functions are served from and events are ingested into (KUSTO_DATABASE).')
param kustoDatabaseName string = 'analytics'

@allowed(['streaming', 'queued', 'managed'])
@description('KUSTO_INGEST_MODE: streaming needs streaming ingestion enabled on the database; managed falls back to queued.')
param kustoIngestMode string = 'streaming'

// ── caller authentication (Entra ID); all empty: bearer tokens are refused, API keys still work ────────────────────
@description('JWKS_URI, e.g. https://login.microsoftonline.com/<tenant-id>/discovery/v2.0/keys.')
param jwksUri string = ''

@description('JWT_ISSUER, e.g. https://login.microsoftonline.com/<tenant-id>/v2.0.')
param jwtIssuer string = ''

@description('JWT_AUDIENCE, e.g. api://kqlgate.')
param jwtAudience string = ''

// ── optional Azure Managed Redis: shared cache and rate limits for several gateway replicas ────────────────────────
@description('Create an Azure Managed Redis cache and give both apps REDIS_URL.')
param deployManagedRedis bool = false

@description('Azure Managed Redis SKU (Balanced_B0 is the smallest).')
param managedRedisSkuName string = 'Balanced_B0'

// ── scaling ─────────────────────────────────────────────────────────────────────────────────────────────────────────
@minValue(1)
@description('Gateway replicas kept running (2: one can restart while the other answers).')
param gatewayMinReplicas int = 2

@minValue(1)
@maxValue(1000)
param gatewayMaxReplicas int = 10

@minValue(1)
@description('Concurrent HTTP requests per gateway replica before another replica is added.')
param gatewayConcurrentRequests int = 50

@minValue(0)
@description('Ingestion replicas kept running; 0 lets the app scale to zero when the subscription is empty (first events then wait for a replica to start).')
param ingestionMinReplicas int = 1

@minValue(1)
@maxValue(1000)
param ingestionMaxReplicas int = 10

@minValue(1)
@description('Subscription backlog per ingestion replica: one replica ingests about 1,000 events/s (docs/ingestion.md), so 1000 is about a second of work each.')
param ingestionMessagesPerReplica int = 1000

// ── images: azd sets these after its first deploy; until then a placeholder keeps the apps creatable ─────────────────
@description('Gateway image; azd passes SERVICE_GATEWAY_IMAGE_NAME.')
param gatewayImageName string = ''

@description('Ingestion image; azd passes SERVICE_INGESTION_IMAGE_NAME.')
param ingestionImageName string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
  }
}

module identities 'modules/identities.bicep' = {
  name: 'identities'
  scope: rg
  params: {
    location: location
    tags: tags
    appIdentityName: 'id-kqlgate-${resourceToken}'
    scalerIdentityName: 'id-kqlgate-scaler-${resourceToken}'
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'cr${resourceToken}'
    pullPrincipalId: identities.outputs.appPrincipalId
  }
}

module serviceBusAccess 'modules/servicebus-access.bicep' = {
  name: 'servicebus-access-${resourceToken}'
  scope: resourceGroup(serviceBusResourceGroupName)
  params: {
    namespaceName: serviceBusNamespaceName
    topicName: serviceBusTopicName
    subscriptionName: serviceBusSubscriptionName
    receiverPrincipalId: identities.outputs.appPrincipalId
    scalerPrincipalId: identities.outputs.scalerPrincipalId
  }
}

module kustoAccess 'modules/kusto-access.bicep' = {
  name: 'kusto-access-${resourceToken}'
  scope: resourceGroup(kustoResourceGroupName)
  params: {
    clusterName: kustoClusterName
    databaseName: kustoDatabaseName
    appClientId: identities.outputs.appClientId
    tenantId: tenant().tenantId
  }
}

module managedRedis 'modules/managed-redis.bicep' = if (deployManagedRedis) {
  name: 'managed-redis'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'redis-${resourceToken}'
    skuName: managedRedisSkuName
  }
}

module environment 'modules/container-apps-environment.bicep' = {
  name: 'container-apps-environment'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'cae-${resourceToken}'
    logAnalyticsName: monitoring.outputs.logAnalyticsName
  }
}

// Settings both roles read (see src/config/env.dto.ts and the README's configuration table).
var sharedEnv = concat(
  [
    { name: 'NODE_ENV', value: 'production' }
    { name: 'HOST', value: '0.0.0.0' }
    { name: 'PORT', value: '3000' }
    { name: 'LOG_LEVEL', value: 'info' }
    // Below the revision's 45 s termination grace period, so a drain that overruns exits by itself first.
    { name: 'SHUTDOWN_TIMEOUT_MS', value: '30000' }
    // The events come from the OLTP application: the demo producer must never publish into the real topic.
    { name: 'DEMO_RATE', value: '0' }
    // /metrics on a listener of its own (127.0.0.1 by default), so the public ingress never serves it.
    { name: 'METRICS_PORT', value: '9464' }
    { name: 'KUSTO_CLUSTER_URL', value: kustoAccess.outputs.clusterUri }
    { name: 'KUSTO_INGEST_URL', value: kustoAccess.outputs.ingestUri }
    { name: 'KUSTO_DATABASE', value: kustoDatabaseName }
    { name: 'KUSTO_INGEST_MODE', value: kustoIngestMode }
    { name: 'SERVICEBUS_NAMESPACE', value: serviceBusAccess.outputs.fullyQualifiedNamespace }
    { name: 'SERVICEBUS_TOPIC', value: serviceBusTopicName }
    { name: 'SERVICEBUS_SUBSCRIPTION', value: serviceBusSubscriptionName }
    // DefaultAzureCredential takes the user-assigned identity with this client id (the scaler's is attached too).
    { name: 'AZURE_CLIENT_ID', value: identities.outputs.appClientId }
  ],
  empty(jwksUri)
    ? []
    : [
        { name: 'JWKS_URI', value: jwksUri }
        { name: 'JWT_ISSUER', value: jwtIssuer }
        { name: 'JWT_AUDIENCE', value: jwtAudience }
      ]
)

var redisName = deployManagedRedis ? managedRedis!.outputs.name : ''
var redisHostName = deployManagedRedis ? managedRedis!.outputs.hostName : ''

module gateway 'modules/kqlgate-app.bicep' = {
  name: 'gateway-app'
  scope: rg
  params: {
    location: location
    tags: union(tags, { 'azd-service-name': 'gateway' })
    name: 'ca-gateway-${resourceToken}'
    environmentId: environment.outputs.id
    imageName: gatewayImageName
    registryLoginServer: registry.outputs.loginServer
    appIdentityId: identities.outputs.appIdentityId
    scalerIdentityId: ''
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    redisName: redisName
    redisHostName: redisHostName
    env: concat(sharedEnv, [
      { name: 'KQLGATE_ROLE', value: 'gateway' }
      // Container Apps' ingress forwards from private addresses: believe its X-Forwarded-For / -Proto only.
      { name: 'TRUST_PROXY', value: 'uniquelocal' }
    ])
    externalIngress: true
    minReplicas: gatewayMinReplicas
    maxReplicas: gatewayMaxReplicas
    scaleRules: [
      {
        name: 'http-concurrency'
        http: {
          metadata: {
            concurrentRequests: string(gatewayConcurrentRequests)
          }
        }
      }
    ]
  }
}

module ingestion 'modules/kqlgate-app.bicep' = {
  name: 'ingestion-app'
  scope: rg
  params: {
    location: location
    tags: union(tags, { 'azd-service-name': 'ingestion' })
    name: 'ca-ingestion-${resourceToken}'
    environmentId: environment.outputs.id
    imageName: ingestionImageName
    registryLoginServer: registry.outputs.loginServer
    appIdentityId: identities.outputs.appIdentityId
    scalerIdentityId: identities.outputs.scalerIdentityId
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    redisName: redisName
    redisHostName: redisHostName
    env: concat(sharedEnv, [
      { name: 'KQLGATE_ROLE', value: 'ingestion' }
    ])
    externalIngress: false
    minReplicas: ingestionMinReplicas
    maxReplicas: ingestionMaxReplicas
    scaleRules: [
      {
        name: 'servicebus-backlog'
        custom: {
          type: 'azure-servicebus'
          // KEDA reads the subscription's message count through Service Bus's management endpoint, which needs the
          // Manage right: the scaler identity has it on this subscription only, the app identity does not.
          identity: identities.outputs.scalerIdentityId
          metadata: {
            namespace: serviceBusNamespaceName
            topicName: serviceBusTopicName
            subscriptionName: serviceBusSubscriptionName
            messageCount: string(ingestionMessagesPerReplica)
          }
        }
      }
    ]
  }
}

// Read by azd: where to push the images, and what to print after `azd up`.
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_APPS_ENVIRONMENT_ID string = environment.outputs.id
output KQLGATE_GATEWAY_URL string = 'https://${gateway.outputs.fqdn}'
output KQLGATE_APP_IDENTITY_CLIENT_ID string = identities.outputs.appClientId
output KQLGATE_SCALER_IDENTITY_CLIENT_ID string = identities.outputs.scalerClientId
output KUSTO_CLUSTER_URL string = kustoAccess.outputs.clusterUri
output SERVICEBUS_NAMESPACE string = serviceBusAccess.outputs.fullyQualifiedNamespace
