/**
 * The 1EdTech status envelope every error body uses (OneRoster 1.2 / PowerPath `*Response` schemas).
 */
export interface ImsxCodeMinorField {
  imsx_codeMinorFieldName: string;
  imsx_codeMinorFieldValue: string;
}

export interface ImsxEnvelope {
  imsx_codeMajor: 'failure' | 'success' | 'processing' | 'unsupported';
  imsx_severity: 'error' | 'warning' | 'status';
  imsx_description: string;
  imsx_CodeMinor: { imsx_codeMinorField: ImsxCodeMinorField[] };
  imsx_error_details?: Record<string, string>[];
}

/** Minor codes the upstream specs use, by HTTP status. */
export const CODE_MINOR_BY_STATUS: Record<number, string> = {
  400: 'invaliddata',
  401: 'unauthorisedrequest',
  403: 'forbidden',
  404: 'unknownobject',
  409: 'invaliddata',
  413: 'invaliddata',
  415: 'invaliddata',
  422: 'invaliddata',
  429: 'server_busy',
  500: 'internal_server_error',
  502: 'server_busy',
  503: 'server_busy',
  504: 'server_busy',
};

/** `codeMinor`: the domain code's (error-responses.ts); framework errors get the one of their status. */
export function imsxEnvelope(
  status: number,
  description: string,
  details?: Record<string, string>[],
  codeMinor = CODE_MINOR_BY_STATUS[status] ?? (status >= 500 ? 'internal_server_error' : 'invaliddata'),
): ImsxEnvelope {
  return {
    imsx_codeMajor: 'failure',
    imsx_severity: 'error',
    imsx_description: description,
    imsx_CodeMinor: {
      imsx_codeMinorField: [{ imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: codeMinor }],
    },
    ...(details && details.length > 0 ? { imsx_error_details: details } : {}),
  };
}
