import { Module, Provider } from '@nestjs/common';
import { EdulasticProvider } from './edulastic/edulastic.provider';
import { EXTERNAL_TEST_PROVIDERS, ExternalTestProvider } from './external-test-provider';
import { MasteryTrackProvider } from './mastery-track/mastery-track.provider';
import { ConfigurableProviderModule } from './provider.module-definition';
import { ProviderRegistry } from './provider-registry';

/** Every tool strategy, collected under one token. Adding a tool = its folder + one line here. */
const STRATEGIES = [EdulasticProvider, MasteryTrackProvider];

const collected: Provider = {
  provide: EXTERNAL_TEST_PROVIDERS,
  useFactory: (...providers: ExternalTestProvider[]) => providers,
  inject: STRATEGIES,
};

/** The tools behind EXTERNAL_TEST_PROVIDERS and the registry; `forRoot` / `forRootAsync` take ProviderOptions. */
@Module({
  providers: [...STRATEGIES, collected, ProviderRegistry],
  exports: [EXTERNAL_TEST_PROVIDERS, ProviderRegistry],
})
export class ProviderModule extends ConfigurableProviderModule {}
