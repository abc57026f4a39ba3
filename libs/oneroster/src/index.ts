export * from './mappers/common';
export * from './mappers/rostering.mappers';
