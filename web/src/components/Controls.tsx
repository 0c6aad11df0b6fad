import { type ButtonHTMLAttributes, type ReactNode, useState } from 'react';
import { type Need, usePermission } from '../session';

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  /** The role the action needs; below it the button is disabled and its title says why. */
  need?: Need;
  variant?: 'primary' | 'danger' | 'plain';
  busy?: boolean;
};

export function Button({ need, variant, busy, disabled, title, className, children, ...rest }: ButtonProps) {
  const { why } = usePermission();
  const denied = need ? why(need) : undefined;
  return (
    <button
      type="button"
      className={[variant ? `btn btn-${variant}` : 'btn', className].filter(Boolean).join(' ')}
      disabled={Boolean(denied) || disabled || busy}
      title={denied ?? title}
      aria-busy={busy || undefined}
      {...rest}
    >
      {children}
    </button>
  );
}

/** An error from the server, in its own words. */
export function ErrorText({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p className="error" role="alert">
      {children}
    </p>
  );
}

/** A short confirmation ("Queued", "Saved"). */
export function Done({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p className="done" role="status">
      {children}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Loading({ show }: { show: boolean }) {
  return show ? (
    <span className="loading" role="status">
      Loading…
    </span>
  ) : null;
}

/** Label / value pairs in details panels. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v === null || v === undefined || v === '' ? '—' : v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A destructive action asks once more, in place: "Remove" becomes "Yes, remove" and "Cancel". */
export function ConfirmButton({
  confirmLabel,
  onConfirm,
  children,
  ...rest
}: ButtonProps & { confirmLabel: string; onConfirm: () => void }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <Button {...rest} onClick={() => setAsking(true)}>
        {children}
      </Button>
    );
  }
  return (
    <span className="confirm">
      <Button
        variant="danger"
        need={rest.need}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </Button>
      <Button onClick={() => setAsking(false)}>Cancel</Button>
    </span>
  );
}
