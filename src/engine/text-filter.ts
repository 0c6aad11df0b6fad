import { type BatchFilter, TEXT_FILTER_MAX } from '../connectors/sdk/manifest.js';
import { EngineError } from './errors.js';

/**
 * The one text a `text` batch filter takes ("records whose Customer ID starts with …"), trimmed; a
 * second text or one longer than TEXT_FILTER_MAX is refused naming the filter and its field, so a
 * pasted paragraph never reaches the source's URL. Empty: undefined (no filter).
 */
export function textFilterValue(
  filter: BatchFilter,
  values: readonly string[],
  where = `filters.${filter.name}`,
): string | undefined {
  const texts = values.map((v) => v.trim()).filter(Boolean);
  const field = filter.field ?? filter.name;
  if (texts.length > 1)
    throw new EngineError(
      'invalid_request',
      `${where}: ${filter.title} takes one text (the start of the ${field}), not ${texts.length}`,
    );
  const text = texts[0];
  if (text !== undefined && text.length > TEXT_FILTER_MAX)
    throw new EngineError(
      'invalid_request',
      `${where}: the start of the ${field} is at most ${TEXT_FILTER_MAX} characters; ${text.length} were typed`,
    );
  return text;
}
