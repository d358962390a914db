// One kqlgate container app: the image run as `kqlgate start` in the role its KQLGATE_ROLE names, with the app
// identity (and, for ingestion, the scaler identity) attached, health probes on the kqlgate port, and its scale rules.
param location string
param tags object
param name string
param environmentId string

@description('Image to run; empty until azd has pushed one, then a placeholder keeps the app creatable.')
param imageName string

param registryLoginServer string

@description('Resource id of the app identity (pulls the image; DefaultAzureCredential via AZURE_CLIENT_ID).')
param appIdentityId string

@description('Resource id of the identity a KEDA scale rule authenticates with, or empty.')
param scalerIdentityId string

param applicationInsightsName string

@description('Azure Managed Redis cluster in this resource group, or empty for per-replica cache and limits.')
param redisName string

param redisHostName string

@description('Environment variables ({ name, value }) beside the secrets this module adds.')
param env array

@description('True: public HTTPS ingress to the kqlgate port. False: no ingress (the ingestion role serves no API).')
param externalIngress bool

@minValue(0)
param minReplicas int

@minValue(1)
param maxReplicas int

param scaleRules array

// The port kqlgate listens on (PORT in env) and serves /health/live and /health/ready on, in both roles.
var port = 3000

// Container Apps' quickstart image, until azd deploys kqlgate's: it serves no health endpoints, so its revision
// stays unhealthy, which ends with the first `azd deploy`.
var placeholderImage = 'mcr.microsoft.com/k8se/quickstart:latest'

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var identities = union(
  { '${appIdentityId}': {} },
  empty(scalerIdentityId) ? {} : { '${scalerIdentityId}': {} }
)

var redisSecrets = empty(redisName)
  ? []
  : [
      {
        name: 'redis-url'
        value: 'rediss://:${listKeys(resourceId('Microsoft.Cache/redisEnterprise/databases', redisName, 'default'), '2025-07-01').primaryKey}@${redisHostName}:10000'
      }
    ]

var secretEnv = concat(
  [
    { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', secretRef: 'appinsights-connection-string' }
  ],
  empty(redisName) ? [] : [{ name: 'REDIS_URL', secretRef: 'redis-url' }]
)

resource app 'Microsoft.App/containerApps@2025-01-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: identities
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: externalIngress
        ? {
            external: true
            targetPort: port
            transport: 'http'
            allowInsecure: false
          }
        : null
      registries: [
        {
          server: registryLoginServer
          identity: appIdentityId
        }
      ]
      secrets: concat(
        [
          {
            name: 'appinsights-connection-string'
            value: applicationInsights.properties.ConnectionString
          }
        ],
        redisSecrets
      )
    }
    template: {
      // Longer than SHUTDOWN_TIMEOUT_MS (30 s): kqlgate drains requests and settles held messages, then exits.
      terminationGracePeriodSeconds: 45
      containers: [
        {
          name: 'kqlgate'
          image: empty(imageName) ? placeholderImage : imageName
          command: empty(imageName) ? [] : ['kqlgate', 'start']
          env: concat(env, secretEnv)
          resources: {
            cpu: json('1.0')
            memory: '2Gi'
          }
          probes: [
            {
              // Catalog load and KQL analysis at start-up: up to 2 minutes before liveness counts (Container Apps
              // allows at most 10 failures per probe, hence the long period).
              type: 'Startup'
              httpGet: {
                path: '/health/live'
                port: port
              }
              periodSeconds: 12
              failureThreshold: 10
            }
            {
              type: 'Liveness'
              httpGet: {
                path: '/health/live'
                port: port
              }
              periodSeconds: 10
              failureThreshold: 3
            }
            {
              type: 'Readiness'
              httpGet: {
                path: '/health/ready'
                port: port
              }
              periodSeconds: 5
              failureThreshold: 3
            }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: scaleRules
      }
    }
  }
}

output fqdn string = externalIngress ? app.properties.configuration.ingress.fqdn : ''
