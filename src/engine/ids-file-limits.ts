/**
 * How much an uploaded ID file may hold, and the error that says which limit it broke. Kept apart from
 * the readers so ids-file.ts and ids-file-xlsx.ts both use them without importing each other in a circle.
 *
 * An ID file is read inside the server's process on behalf of whoever uploaded it, so every limit is
 * there to keep one upload from taking the event loop or the memory away from everyone else.
 */
export interface IdsFileLimits {
  /** IDs (rows below the header); the row of a cell may be at most one more than this. */
  maxIds: number;
  /** Characters of one ID, after trimming. */
  maxIdLength: number;
  /**
   * Bytes of the file as uploaded. Measured with ExcelJS-written files of 100,000 IDs (shared strings,
   * deflate): 1.1 MB for IDs like C0000001, 2.1 MB for random 16-character IDs or e-mail addresses,
   * 3.3 MB for random 32-character IDs; only random IDs of about 50 characters and more outgrow it
   * (5.6 MB at 64). A CSV of 100,000 IDs of 40 characters is 4 MB.
   */
  maxUploadBytes: number;
  /** Files inside an .xlsx; a workbook has a dozen or two. */
  maxZipEntries: number;
  /**
   * Bytes one file inside an .xlsx may unpack to, as its zip directory declares it (yauzl holds it to
   * that). The sheet of 100,000 IDs as ExcelJS writes it unpacks to 9 MB, its shared strings to 2.4 MB;
   * extra columns beside the IDs take the rest.
   */
  maxEntryBytes: number;
  /** Bytes all files inside an .xlsx may unpack to together, as declared. */
  maxUnpackedBytes: number;
}

export const IDS_FILE_LIMITS: Readonly<IdsFileLimits> = Object.freeze({
  maxIds: 100_000,
  maxIdLength: 256,
  maxUploadBytes: 5 * 1024 * 1024,
  maxZipEntries: 1_000,
  maxEntryBytes: 50 * 1024 * 1024,
  maxUnpackedBytes: 100 * 1024 * 1024,
});

/** Stable reasons a caller can act on without parsing the message. */
export type IdsFileErrorCode =
  | 'invalid_request'
  | 'unsupported_type'
  | 'unreadable'
  | 'too_large'
  | 'too_many_ids'
  | 'id_too_long'
  | 'wrong_header'
  | 'no_ids'
  | 'not_xlsx'
  | 'no_worksheet';

/** 413 when the file or what it unpacks to is too big; 422 when its content cannot be used. */
const STATUS: Record<IdsFileErrorCode, 400 | 413 | 422> = {
  invalid_request: 400,
  unsupported_type: 400,
  unreadable: 400,
  too_large: 413,
  too_many_ids: 422,
  id_too_long: 422,
  wrong_header: 422,
  no_ids: 422,
  not_xlsx: 422,
  no_worksheet: 422,
};

/** A problem with an uploaded ID file, phrased for the person who uploaded it. */
export class IdsFileError extends Error {
  readonly idsFileError = true as const;
  /** The HTTP status that fits: 400, 413 or 422. */
  readonly status: 400 | 413 | 422;
  constructor(
    message: string,
    readonly code: IdsFileErrorCode = 'invalid_request',
  ) {
    super(message);
    this.name = 'IdsFileError';
    this.status = STATUS[code];
  }
}

export const isIdsFileError = (e: unknown): e is IdsFileError =>
  typeof e === 'object' && e !== null && (e as { idsFileError?: unknown }).idsFileError === true;

export const count = (n: number): string => n.toLocaleString('en-US');

/**
 * A size as people read it (5 MB, 2,862 MB, 6.2 KB, 1,000 bytes), rounded up so that a file just over a
 * limit never reads as the limit itself.
 */
export const size = (bytes: number): string => {
  const [n, unit] =
    bytes >= 1024 * 1024
      ? [bytes / 1024 / 1024, 'MB']
      : bytes >= 1024
        ? [bytes / 1024, 'KB']
        : [bytes, 'bytes'];
  if (n >= 100 || Number.isInteger(n)) return `${count(Math.ceil(n))} ${unit}`;
  return `${(Math.ceil(n * 10) / 10).toFixed(1)} ${unit}`;
};

/** The sentence every "too many rows" refusal ends with. */
export const idsLimitText = (limits: IdsFileLimits): string =>
  `an ID list can have at most ${count(limits.maxIds)} IDs below its header`;
