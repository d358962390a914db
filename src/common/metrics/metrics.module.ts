import { Module } from '@nestjs/common';
import { MetricsEndpoint } from './metrics-endpoint.js';

/** `GET /metrics`, on the gateway's port or a port of its own (see MetricsEndpoint). */
@Module({ providers: [MetricsEndpoint], exports: [MetricsEndpoint] })
export class MetricsModule {}
