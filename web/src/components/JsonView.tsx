import { pretty } from '../format';

/** JSON as the server sent it (secrets already redacted there), indented. */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  const text = pretty(value);
  return (
    <figure className="json">
      <figcaption>{label}</figcaption>
      {text ? <pre>{text}</pre> : <p className="muted">None recorded.</p>}
    </figure>
  );
}
