import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import { AppError } from '../errors/app-error';
import { createValidationPipe } from './validation-pipe';

class Item {
  @IsString()
  name!: string;
}

class Body {
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  lesson!: string;

  @IsIn(['a', 'b'])
  kind!: string;

  @ArrayMaxSize(2)
  @ValidateNested({ each: true })
  @Type(() => Item)
  items!: Item[];
}

class Query {
  @IsOptional()
  @IsString()
  student?: string;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tags?: string[];

  /** One value or several: TypeScript emits Object as its type, the rule says it takes each element. */
  @IsOptional()
  @IsString({ each: true })
  labels?: string | string[];
}

class Undecorated {
  name?: string;
}

async function problems(
  value: unknown,
  metatype: new () => object = Body,
  type: 'body' | 'query' = 'body',
): Promise<{ field: string; message: string }[]> {
  try {
    await createValidationPipe().transform(value, { type, metatype });
  } catch (e) {
    if (e instanceof AppError) return e.options.details as { field: string; message: string }[];
    throw e;
  }
  throw new Error('expected a 400');
}

describe('the validation pipe', () => {
  it('names a field left out once, with the values it may take where it has a list', async () => {
    expect(await problems({ items: [] })).toEqual([
      { field: 'lesson', message: 'lesson is required' },
      { field: 'kind', message: 'kind is required: kind must be one of the following values: a, b' },
    ]);
  });

  it('keeps every rule a present value breaks, and the problems of what it holds', async () => {
    const found = await problems({ lesson: '', kind: 'c', items: [{ name: 'x' }, { name: 1 }, { name: 'z' }] });
    expect(found).toEqual(
      expect.arrayContaining([
        { field: 'lesson', message: 'lesson should not be empty' },
        { field: 'kind', message: 'kind must be one of the following values: a, b' },
        { field: 'items', message: 'items must contain no more than 2 elements' },
        { field: 'items.1.name', message: 'items.1.name must be a string' },
      ]),
    );
    expect(found.map((p) => p.message)).not.toContain('items is required');
  });

  it('tells a value of the wrong type its type alone, not the rules a value of that type could break', async () => {
    const found = await problems({ lesson: 42, kind: 'a', items: [{ name: ['x'] }] });
    expect(found).toEqual([
      { field: 'lesson', message: 'lesson must be a string' },
      { field: 'items.0.name', message: 'items.0.name must be a string' },
    ]);
    // The other rules still speak for a value of the right type.
    expect(await problems({ lesson: 'x'.repeat(256), kind: 'a', items: [] })).toEqual([
      { field: 'lesson', message: 'lesson must be shorter than or equal to 255 characters' },
    ]);
  });

  it('does not call an object with no rules a missing field', async () => {
    const found = await problems({ name: 'x' }, Undecorated);
    expect(found.map((p) => p.message).join('; ')).not.toMatch(/is required/);
  });

  it('a query parameter declared as text and given twice must be given once; a list parameter and unknown ones keep their rules', async () => {
    expect(await problems({ student: ['a', 'b'] }, Query, 'query')).toEqual([
      { field: 'student', message: 'student must be given once, as text' },
    ]);
    // A host's list parameter takes repeats; an unknown parameter is unknown however often it comes.
    await expect(
      createValidationPipe().transform({ tags: ['a', 'b'] }, { type: 'query', metatype: Query }),
    ).resolves.toEqual(Object.assign(new Query(), { tags: ['a', 'b'] }));
    await expect(
      createValidationPipe().transform({ labels: ['a', 'b'] }, { type: 'query', metatype: Query }),
    ).resolves.toEqual(Object.assign(new Query(), { labels: ['a', 'b'] }));
    expect(await problems({ other: ['a', 'b'] }, Query, 'query')).toEqual([
      { field: 'other', message: 'property other should not exist' },
    ]);
  });
});
