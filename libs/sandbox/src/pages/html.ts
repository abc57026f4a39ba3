import express, { type Response } from 'express';

/** The body parser of the pages' POST forms (per route, so the JSON API never parses forms). */
export const formBody = express.urlencoded({ extended: false, limit: '100kb' });

/** Markup that is already safe to send: only `html` makes one, so every interpolated value is escaped once. */
export class SafeHtml {
  constructor(readonly text: string) {}
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

type Interpolated = SafeHtml | string | number | boolean | null | undefined | readonly Interpolated[];

function render(value: Interpolated): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return (value as readonly Interpolated[]).map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value);
}

/** A template tag: the literal parts are trusted markup, every `${value}` is escaped (nested `html` is kept). */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]) : ''), ''));
}

/** A whole page with the tool's name; no scripts, forms post to this origin only, nothing cached or framed by others. */
export function sendPage(res: Response, status: number, tool: string, title: string, body: SafeHtml): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
    })
    .send(
      html`<!doctype html>
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>${title} · ${tool} (sandbox)</title>
            <style>
              body {
                font-family: system-ui, sans-serif;
                max-width: 40rem;
                margin: 2rem auto;
                padding: 0 1rem;
                line-height: 1.4;
              }
              header {
                color: #555;
                font-size: 0.9rem;
                border-bottom: 1px solid #ddd;
                margin-bottom: 1rem;
              }
              fieldset {
                border: 1px solid #ddd;
                margin: 0 0 0.75rem;
              }
              label {
                display: block;
                margin: 0.25rem 0;
              }
              input[type='email'],
              input[type='password'] {
                width: 100%;
                padding: 0.4rem;
                box-sizing: border-box;
              }
              button {
                padding: 0.5rem 1.2rem;
                margin-top: 0.5rem;
              }
              .error {
                color: #a00;
                font-weight: bold;
              }
            </style>
          </head>
          <body>
            <header>${tool} — sandbox student page</header>
            <h1>${title}</h1>
            ${body}
          </body>
        </html> `.text,
    );
}
