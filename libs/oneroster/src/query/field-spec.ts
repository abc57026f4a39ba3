/** How a OneRoster field maps to an entity property for filtering and sorting. */
export interface FieldSpec {
  prop: string;
  type: 'string' | 'number' | 'date' | 'boolean';
}

export type FieldMap = Record<string, FieldSpec>;

export const str = (prop: string): FieldSpec => ({ prop, type: 'string' });
export const num = (prop: string): FieldSpec => ({ prop, type: 'number' });
export const date = (prop: string): FieldSpec => ({ prop, type: 'date' });
export const bool = (prop: string): FieldSpec => ({ prop, type: 'boolean' });

/** Fields every OneRoster object has. */
export const BASE_FIELDS: FieldMap = {
  sourcedId: str('sourcedId'),
  status: str('status'),
  dateLastModified: date('dateLastModified'),
};
