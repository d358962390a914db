// Azure Managed Redis (Microsoft.Cache/redisEnterprise): the shared result cache, cache generations and rate limits
// of several gateway replicas (REDIS_URL). kqlgate's client (ioredis) is a single-endpoint client authenticating with
// a password, hence the NoCluster policy (one shard, sizes up to 25 GB) and access-key authentication.
param location string
param tags object
param name string
param skuName string

resource cluster 'Microsoft.Cache/redisEnterprise@2025-07-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
  }
  properties: {
    minimumTlsVersion: '1.2'
    highAvailability: 'Enabled'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.Cache/redisEnterprise/databases@2025-07-01' = {
  parent: cluster
  name: 'default'
  properties: {
    clientProtocol: 'Encrypted'
    port: 10000
    clusteringPolicy: 'NoCluster'
    // Cached results and rate-limit windows carry a TTL, the tables' cache generations do not: evicting only keys
    // with a TTL makes room without ever losing an invalidation.
    evictionPolicy: 'VolatileLRU'
    accessKeysAuthentication: 'Enabled'
  }
}

output name string = cluster.name
output hostName string = cluster.properties.hostName
