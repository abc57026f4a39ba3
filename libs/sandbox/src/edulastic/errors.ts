import type { Response } from 'express';

/** Edulastic errors are the HTTP status plus `{"message": "<text>"}`. */
export function messageBody(_status: number, message: string): { message: string } {
  return { message };
}

export function sendMessage(res: Response, status: number, message: string, extra: object = {}): void {
  res.status(status).json({ message, ...extra });
}
