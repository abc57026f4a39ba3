import { ConfigurableModuleBuilder } from '@nestjs/common';
import { ProviderOptions } from './provider-options';

/** ProviderModule's typed forRoot / forRootAsync and its options token (Nest's ConfigurableModuleBuilder). */
export const {
  ConfigurableModuleClass: ConfigurableProviderModule,
  MODULE_OPTIONS_TOKEN: PROVIDER_OPTIONS,
  OPTIONS_TYPE: PROVIDER_MODULE_OPTIONS,
  ASYNC_OPTIONS_TYPE: PROVIDER_MODULE_ASYNC_OPTIONS,
} = new ConfigurableModuleBuilder<ProviderOptions>().setClassMethodName('forRoot').build();
