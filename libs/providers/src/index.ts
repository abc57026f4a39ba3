export * from './external-test-provider';
export * from './tool-ledger';
export * from './provider-options';
export * from './provider-registry';
export * from './provider.module';
export * from './edulastic/edulastic.provider';
export * from './mastery-track/mastery-track.provider';
