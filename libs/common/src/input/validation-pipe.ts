import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { AppError } from '../errors/app-error';
import { ErrorCode } from '../errors/error-code';
import { givenMoreThanOnce } from './query-once';
import { findUnstorableValue } from './storable-values';

/** class-validator's type checks: a value of the wrong type breaks the rest of a field's rules only by being it. */
const TYPE_CHECKS = new Set(['isString', 'isBoolean', 'isInt', 'isNumber', 'isArray', 'isObject', 'isDate']);

function flatten(errors: ValidationError[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    // A field left out fails every rule it has ("must be a string", "should not be empty", a length…); the caller
    // needs to hear one thing, and the values it may take where there is a list. (An optional field fails none.)
    // (Nest leaves no `value` on an error with children, and forbidUnknownValues' error names no property.)
    if (e.value === undefined && e.constraints && !e.children?.length && e.property !== undefined) {
      const choices = e.constraints.isIn ?? e.constraints.isEnum;
      return [{ field, message: choices ? `${field} is required: ${choices}` : `${field} is required` }];
    }
    // A value of the wrong type is told its type, not also every rule a value of that type could break ("student
    // must be a string", not besides "must be shorter than or equal to 255 characters").
    const broken = Object.entries(e.constraints ?? {});
    const typeOnly = broken.filter(([rule]) => TYPE_CHECKS.has(rule));
    const own = (typeOnly.length ? typeOnly : broken).map(([, message]) =>
      // class-validator words unknown fields as "property x should not exist": keep the full path in it.
      ({
        field,
        message: message
          .replace(/^property \S+ /, `property ${field} `)
          .replace(/^\S+ /, (w) => (w === `${e.property} ` ? `${field} ` : w)),
      }),
    );
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * Far more fields than any request class has, in one object of a value bound to one (a body, a query): refused before
 * class-transformer, whose handling of an object's keys takes time quadratic in their number (9,000 unknown fields in a
 * PowerPath body: 75 ms; the body limit allows 16,000).
 */
export const MAX_REQUEST_OBJECT_FIELDS = 100;

/**
 * Every body, query and path parameter passes here first: a string PostgreSQL cannot store (NUL, lone surrogate)
 * is a 400 naming its field, for every endpoint at once. class-transformer skips prototype keys, so the whitelist
 * never sees them: they are refused like any unknown field.
 */
class StrictValidationPipe extends ValidationPipe {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const toClass = !!metadata.metatype && metadata.metatype !== Object;
    if (metadata.type !== 'custom') {
      const bad = findUnstorableValue(value, metadata.data ?? '', {
        maxFields: toClass ? MAX_REQUEST_OBJECT_FIELDS : Infinity,
        whole: metadata.type,
      });
      if (bad) throw AppError.invalid(`${bad.field} ${bad.problem}`, bad.field);
    }
    // A body bound to a class is one object: an array would be answered element by element ("property 0 should not
    // exist", …). (The JSON parser refuses a scalar; another host's parser may not.)
    // (No body at all is left to the fields' own rules, as an empty one is.)
    const notObject = typeof value !== 'object' || value === null || Array.isArray(value);
    if (toClass && metadata.type === 'body' && value !== undefined && notObject) {
      throw AppError.invalid('body must be a JSON object', 'body');
    }
    if (toClass && value && typeof value === 'object' && !Array.isArray(value)) {
      const key = PROTOTYPE_KEYS.find((k) => Object.prototype.hasOwnProperty.call(value, k));
      if (key) throw AppError.invalid(`property ${key} should not exist`, key);
      // A repeated query parameter arrives as an array: say so, as the OneRoster lists do, not "must be a string".
      // Only of a parameter the class declares and not as an array (an unknown one stays "should not exist").
      const repeated =
        metadata.type === 'query' &&
        Object.entries(value).find(([k, v]) => Array.isArray(v) && declaresSingle(metadata.metatype!, k));
      if (repeated) throw givenMoreThanOnce(repeated[0]);
    }
    return super.transform(value, metadata);
  }
}

/**
 * Whether `type` validates `property` and not as a list: no rule of it takes each element or an array (`each: true`,
 * IsArray, Array…), and TypeScript's `design:type`, where it was emitted, is not Array.
 */
function declaresSingle(type: abstract new (...args: never[]) => unknown, property: string): boolean {
  const rules = getMetadataStorage()
    .getTargetValidationMetadatas(type, '', true, false)
    .filter((m) => m.propertyName === property);
  const list = rules.some((m) => m.each || /^(isArray|array)/i.test(m.name ?? ''));
  return rules.length > 0 && !list && Reflect.getMetadata('design:type', type.prototype as object, property) !== Array;
}

/** Strict input: unknown fields are rejected, types enforced, every problem named with its field. */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const problems = flatten(errors);
      return problems.length > 0
        ? AppError.problems(ErrorCode.InvalidRequest, problems)
        : new AppError(ErrorCode.InvalidRequest, 'Invalid request');
    },
  });
}
