import { DynamicModule, Module, Provider } from '@nestjs/common';
import { EdulasticProvider } from './edulastic/edulastic.provider';
import { EXTERNAL_TEST_PROVIDERS, ExternalTestProvider } from './external-test-provider';
import { MasteryTrackProvider } from './mastery-track/mastery-track.provider';
import { PROVIDER_OPTIONS, ProviderOptions } from './provider-options';
import { ProviderRegistry } from './provider-registry';

export interface ProviderModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: unknown[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory: (...args: any[]) => ProviderOptions | Promise<ProviderOptions>;
}

/** Every tool strategy, collected under one token. Adding a tool = its folder + one line here. */
const STRATEGIES = [EdulasticProvider, MasteryTrackProvider];

const collected: Provider = {
  provide: EXTERNAL_TEST_PROVIDERS,
  useFactory: (...providers: ExternalTestProvider[]) => providers,
  inject: STRATEGIES,
};

@Module({})
export class ProviderModule {
  static forRoot(options: ProviderOptions): DynamicModule {
    return this.build({ provide: PROVIDER_OPTIONS, useValue: options });
  }

  static forRootAsync(options: ProviderModuleAsyncOptions): DynamicModule {
    const mod = this.build({ provide: PROVIDER_OPTIONS, useFactory: options.useFactory, inject: (options.inject ?? []) as never[] });
    return { ...mod, imports: options.imports ?? [] };
  }

  private static build(optionsProvider: Provider): DynamicModule {
    return {
      module: ProviderModule,
      global: false,
      providers: [optionsProvider, ...STRATEGIES, collected, ProviderRegistry],
      exports: [EXTERNAL_TEST_PROVIDERS, ProviderRegistry],
    };
  }
}
