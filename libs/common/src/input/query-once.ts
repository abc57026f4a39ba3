import { AppError } from '../errors/app-error';

/** The 400 of a query parameter given more than once (it arrives as an array) where one text value is read. */
export const givenMoreThanOnce = (name: string): AppError =>
  AppError.invalid(`${name} must be given once, as text`, name);

/** A query parameter read as one text value: its value, or undefined; given twice (an array), a 400 naming it. */
export function textOnce(name: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw givenMoreThanOnce(name);
  return value;
}
