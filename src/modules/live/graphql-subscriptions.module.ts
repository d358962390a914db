import { Module } from '@nestjs/common';
import { GraphqlModule } from '../graphql/graphql.module.js';
import { GraphqlSubscriptionServer } from './graphql-subscriptions.server.js';
import { LiveModule } from './live.module.js';

/** GraphQL subscriptions over WebSocket: the graphql-ws transport of live results, on GraphqlModule's schemas. */
@Module({
  imports: [GraphqlModule, LiveModule],
  providers: [GraphqlSubscriptionServer],
})
export class GraphqlSubscriptionsModule {}
