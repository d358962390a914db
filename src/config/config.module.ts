import { Global, Module, type DynamicModule } from '@nestjs/common';
import { EnvConfig } from './env.dto.js';

/** Makes the validated EnvConfig injectable everywhere (`constructor(private readonly config: EnvConfig)`). */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: EnvConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: EnvConfig, useValue: config }],
      exports: [EnvConfig],
    };
  }
}
