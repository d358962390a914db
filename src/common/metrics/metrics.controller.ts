import { Controller, Get, Header } from '@nestjs/common';
import { metricsRegistry } from './metrics.registry.js';

@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async scrape(): Promise<string> {
    return metricsRegistry().metrics();
  }
}
