import type { Response } from 'supertest';

/** The whole answer to a request the database refused for a moment (ErrorCode.Busy), as a client sees it. */
export const BUSY_ANSWER = {
  status: 503,
  retryAfter: '1',
  body: {
    imsx_codeMajor: 'failure',
    imsx_severity: 'error',
    imsx_description: 'The service is busy; retry after Retry-After seconds',
    imsx_CodeMinor: {
      imsx_codeMinorField: [{ imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: 'server_busy' }],
    },
    imsx_error_details: [{ code: 'BUSY' }],
  },
};

/** What of `res` BUSY_ANSWER describes. */
export const answerOf = (res: Response) => ({
  status: res.status,
  retryAfter: res.headers['retry-after'] as string | undefined,
  body: res.body as unknown,
});
