export * from './external-test-provider';
export * from './tool-ledger';
export * from './provider-options';
export * from './provider-registry';
export * from './provider.module';
export { PROVIDER_OPTIONS, PROVIDER_MODULE_OPTIONS, PROVIDER_MODULE_ASYNC_OPTIONS } from './provider.module-definition';
export * from './edulastic/edulastic.provider';
export * from './mastery-track/mastery-track.provider';
