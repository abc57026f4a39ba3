import { AppError } from '@external-tests/common';

/** The range a line item's results are scored in when it names none (result.rules.ts checks scores against it). */
export const DEFAULT_RESULT_RANGE = { min: 0, max: 100 } as const;

/**
 * A line item's range is one results can lie in: resultValueMin at most resultValueMax, each absent one its default.
 * Otherwise every result written to it would be a 422; the line item's write is instead. The database's
 * `assessment_line_items_result_range` check holds it for every other writer.
 */
export function prepareLineItem(data: Record<string, unknown>): Promise<Record<string, unknown>> {
  const min = (data.resultValueMin as number | null | undefined) ?? DEFAULT_RESULT_RANGE.min;
  const max = (data.resultValueMax as number | null | undefined) ?? DEFAULT_RESULT_RANGE.max;
  if (min > max) {
    return Promise.reject(
      AppError.invalidData(
        `assessmentLineItem.resultValueMin (${min}${data.resultValueMin == null ? ', its default' : ''}) must not ` +
          `exceed resultValueMax (${max}${data.resultValueMax == null ? ', its default' : ''})`,
        'assessmentLineItem.resultValueMin',
      ),
    );
  }
  return Promise.resolve(data);
}
