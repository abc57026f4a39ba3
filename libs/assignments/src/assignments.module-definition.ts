import { ConfigurableModuleBuilder, DynamicModule } from '@nestjs/common';
import { AssignmentsOptions } from './assignments-options';

/**
 * AssignmentsModule's typed forRoot / forRootAsync and its options token (Nest's ConfigurableModuleBuilder).
 * `imports` (both forms) brings what the module needs from the host: ProviderModule at least.
 */
export const {
  ConfigurableModuleClass: ConfigurableAssignmentsModule,
  MODULE_OPTIONS_TOKEN: ASSIGNMENTS_OPTIONS,
  OPTIONS_TYPE: ASSIGNMENTS_MODULE_OPTIONS,
  ASYNC_OPTIONS_TYPE: ASSIGNMENTS_MODULE_ASYNC_OPTIONS,
} = new ConfigurableModuleBuilder<AssignmentsOptions>()
  .setClassMethodName('forRoot')
  .setExtras<{ imports?: DynamicModule['imports'] }>({ imports: [] }, (definition, extras) => ({
    ...definition,
    imports: [...(definition.imports ?? []), ...(extras.imports ?? [])],
  }))
  .build();
