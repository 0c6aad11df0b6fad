/** QuickBooks Online Fault bodies, as the API answers them (FACTS.md). */

export const now = (): string => new Date().toISOString();

export interface SandboxFaultError {
  Message: string;
  Detail?: string;
  code: string;
  element?: string;
}

export function fault(type: string, errors: SandboxFaultError[]): Record<string, unknown> {
  return { Fault: { Error: errors, type }, time: now() };
}

export const validationFault = (message: string, detail: string, code: string, element = '') =>
  fault('ValidationFault', [{ Message: message, Detail: detail, code, element }]);

export const staleObject = (id: string, syncToken: string) =>
  validationFault(
    'Stale Object Error',
    `Stale Object Error : You and someone else were editing the same object at the same time (object Id=${id}, SyncToken=${syncToken})`,
    '5010',
  );

export const notFound = (entity: string, id: string) =>
  validationFault(
    'Object Not Found',
    `Object Not Found : Something you're trying to use has been made inactive or deleted (${entity} Id=${id})`,
    '610',
  );

export const duplicateName = (name: string, id: string) =>
  validationFault(
    'Duplicate Name Exists Error',
    `The name supplied already exists. : Id=${id} Name=${name}`,
    '6240',
  );

export const throttled = () =>
  fault('ThrottleExceeded', [
    {
      Message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429',
      Detail: 'The request limit was reached.',
      code: '3001',
    },
  ]);

/** A 401: Intuit writes this one in lower case (`fault`, `error`, `message`). */
export const authenticationFault = (detail: string) => ({
  warnings: null,
  intuitObject: null,
  fault: {
    error: [
      {
        message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
        detail,
        code: '3200',
        element: null,
      },
    ],
    type: 'AUTHENTICATION',
  },
  time: now(),
});

export const systemFault = (status: number) =>
  fault('SystemFault', [
    {
      Message: 'An application error has occurred while processing your request',
      Detail: `System Failure Error: the sandbox was told to answer ${status}`,
      code: '10000',
    },
  ]);

/** The body of an injected fault, by status. */
export function faultBody(status: number): unknown {
  if (status === 429) return throttled();
  if (status === 401) return authenticationFault('Token expired');
  if (status >= 500) return systemFault(status);
  return validationFault(
    'Request has invalid or unsupported property',
    `the sandbox was told to answer ${status}`,
    '2010',
  );
}
