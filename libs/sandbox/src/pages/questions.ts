import { createHash } from 'node:crypto';
import { html, type SafeHtml } from './html';

/** A sandbox question: simple arithmetic with four choices, derived from the test id so it never changes. */
export interface Question {
  prompt: string;
  choices: number[];
  answer: number;
}

export function questionsFor(testId: string, count: number): Question[] {
  return Array.from({ length: count }, (_, i) => {
    const bytes = createHash('sha256').update(`${testId}:${i}`).digest();
    const a = 2 + (bytes[0] % 18);
    const b = 2 + (bytes[1] % 18);
    const answer = a + b;
    const choices = [answer, answer + 1, answer - 1, answer + 10];
    // Rotate by a byte of the hash so the right answer is not always first.
    const shift = bytes[2] % choices.length;
    return { prompt: `${a} + ${b} = ?`, choices: [...choices.slice(shift), ...choices.slice(0, shift)], answer };
  });
}

/** Per question: true (right), false (wrong) or null (left blank). Form fields are `q0`, `q1`, …. */
export function markAnswers(questions: readonly Question[], form: Record<string, unknown>): (boolean | null)[] {
  return questions.map((q, i) => {
    const given = form[`q${i}`];
    return typeof given === 'string' && given !== '' ? Number(given) === q.answer : null;
  });
}

/** The radio groups of a test; hidden fields (the signed-in student) are added by the caller. */
export function questionFields(questions: readonly Question[]): SafeHtml {
  return html`${questions.map(
    (q, i) =>
      html`<fieldset>
        <legend>Question ${i + 1}: ${q.prompt}</legend>
        ${q.choices.map((c) => html`<label><input type="radio" name="${`q${i}`}" value="${c}" /> ${c}</label>`)}
      </fieldset>`,
  )}`;
}
