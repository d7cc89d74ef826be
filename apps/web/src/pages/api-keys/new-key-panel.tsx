// The key just created, shown this once: Copy puts it on the clipboard, and Done drops it from the
// page for good (the server keeps only its SHA-256, so nobody can show it again).
import { useEffect, useRef } from 'react';
import { CopyStatus, useCopyToClipboard } from '../../components/copy-to-clipboard.js';
import { formatDateTime } from '../../lib/format.js';
import { SCOPE_LABELS } from './api-key-cells.js';
import type { CreatedApiKey } from './create-key-form.js';

export function NewKeyPanel({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  const copy = useCopyToClipboard(created.key);
  const heading = useRef<HTMLHeadingElement>(null);
  // The panel is what the submit led to: a keyboard or screen-reader user lands on it.
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="card new-key" aria-labelledby="new-key-title">
      <h2 id="new-key-title" ref={heading} tabIndex={-1}>
        Your new key “{created.name}”
      </h2>
      <div className="alert alert-info" role="note">
        Copy it now: this is the only time it is shown. Keel keeps no copy it could show again; if you lose it, revoke
        it and create another.
      </div>
      <div className="new-key-value">
        <code data-testid="new-api-key">{created.key}</code>
        <button type="button" className="button-secondary" onClick={copy.copy}>
          Copy
        </button>
      </div>
      <CopyStatus state={copy.state} failed="Could not copy: select the key and copy it yourself." />
      <p className="muted">
        {SCOPE_LABELS[created.scope]} key, until {formatDateTime(created.expiresAt)}. Scripts send it as{' '}
        <code>Authorization: Bearer {'<key>'}</code>.
      </p>
      <div className="actions">
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
