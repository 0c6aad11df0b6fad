/** A Dataverse Web API error: the status and the OData error body it answers with. */
export class ODataFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  get body() {
    return { error: { code: this.code, message: this.message } };
  }
}

export const notFound = (logical: string, id: string) =>
  new ODataFailure(404, '0x80040217', `${logical} With Id = ${id} Does Not Exist`);

export const unknownProperty = (logical: string, name: string) =>
  new ODataFailure(
    400,
    '0x80060888',
    `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${logical}'.`,
  );

export const badPayload = (set: string, inner: string) =>
  new ODataFailure(
    400,
    '0x80048d19',
    `Error identified in Payload provided by the user for Entity :'${set}', For more information on this error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293  ---->  InnerException : Microsoft.OData.ODataException: ${inner}`,
  );

export const tooLong = (logical: string, column: string, max: number) =>
  new ODataFailure(
    400,
    '0x80044331',
    `A validation error occurred.  The length of the '${column}' attribute of the '${logical}' entity exceeded the maximum allowed length of '${max}'.`,
  );

export const staleRowVersion = () =>
  new ODataFailure(
    412,
    '0x80060882',
    "The version of the existing record doesn't match the RowVersion property provided.",
  );

export const syntax = (message: string) => new ODataFailure(400, '0x80060888', message);

export const throttled = () =>
  new ODataFailure(
    429,
    '0x80072322',
    'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
  );
