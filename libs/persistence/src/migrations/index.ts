import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261126122045 } from './Migration20261126122045';
import { Migration20261126125758 } from './Migration20261126125758';
import { Migration20261126131000 } from './Migration20261126131000';
import { Migration20261126141250 } from './Migration20261126141250';
import { Migration20261129120453 } from './Migration20261129120453';
import { Migration20261129131612 } from './Migration20261129131612';
import { Migration20261129143346 } from './Migration20261129143346';
import { Migration20261201000000 } from './Migration20261201000000';
import { Migration20261201120000 } from './Migration20261201120000';
import { Migration20261201130000 } from './Migration20261201130000';
import { Migration20261202000000 } from './Migration20261202000000';
import { Migration20261202120000 } from './Migration20261202120000';
import { Migration20261202180000 } from './Migration20261202180000';
import { Migration20261203000000 } from './Migration20261203000000';
import { Migration20261203010000 } from './Migration20261203010000';
import { Migration20261204000000 } from './Migration20261204000000';
import { Migration20261204010000 } from './Migration20261204010000';
import { Migration20261204020000 } from './Migration20261204020000';
import { Migration20261204030000 } from './Migration20261204030000';
import { Migration20261204040000 } from './Migration20261204040000';
import { Migration20261204050000 } from './Migration20261204050000';

/** Every committed migration, in order. Listed explicitly so ts-jest, ts-node and the build resolve the same set. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261126122045', class: Migration20261126122045 },
  { name: 'Migration20261126125758', class: Migration20261126125758 },
  { name: 'Migration20261126131000', class: Migration20261126131000 },
  { name: 'Migration20261126141250', class: Migration20261126141250 },
  { name: 'Migration20261129120453', class: Migration20261129120453 },
  { name: 'Migration20261129131612', class: Migration20261129131612 },
  { name: 'Migration20261129143346', class: Migration20261129143346 },
  { name: 'Migration20261201000000', class: Migration20261201000000 },
  { name: 'Migration20261201120000', class: Migration20261201120000 },
  { name: 'Migration20261201130000', class: Migration20261201130000 },
  { name: 'Migration20261202000000', class: Migration20261202000000 },
  { name: 'Migration20261202120000', class: Migration20261202120000 },
  { name: 'Migration20261202180000', class: Migration20261202180000 },
  { name: 'Migration20261203000000', class: Migration20261203000000 },
  { name: 'Migration20261203010000', class: Migration20261203010000 },
  { name: 'Migration20261204000000', class: Migration20261204000000 },
  { name: 'Migration20261204010000', class: Migration20261204010000 },
  { name: 'Migration20261204020000', class: Migration20261204020000 },
  { name: 'Migration20261204030000', class: Migration20261204030000 },
  { name: 'Migration20261204040000', class: Migration20261204040000 },
  { name: 'Migration20261204050000', class: Migration20261204050000 },
];
