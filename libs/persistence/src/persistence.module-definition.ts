import { ConfigurableModuleBuilder } from '@nestjs/common';
import { PersistenceOptions } from './orm-options';

/** PersistenceModule's typed forRoot / forRootAsync and its options token (Nest's ConfigurableModuleBuilder). */
export const {
  ConfigurableModuleClass: ConfigurablePersistenceModule,
  MODULE_OPTIONS_TOKEN: PERSISTENCE_OPTIONS,
  OPTIONS_TYPE: PERSISTENCE_MODULE_OPTIONS,
  ASYNC_OPTIONS_TYPE: PERSISTENCE_MODULE_ASYNC_OPTIONS,
} = new ConfigurableModuleBuilder<PersistenceOptions>().setClassMethodName('forRoot').build();
