/** Engine-level failures a person must see as one clear line (unknown flow, flow already running). */
export class EngineError extends Error {
  readonly engineError = true as const;
  constructor(
    readonly code:
      | 'unknown_flow'
      | 'flow_busy'
      | 'flow_disabled'
      | 'unknown_record'
      | 'invalid_request'
      | 'config_read_only'
      | 'not_found'
      | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export const isEngineError = (e: unknown): e is EngineError =>
  typeof e === 'object' && e !== null && (e as { engineError?: unknown }).engineError === true;
