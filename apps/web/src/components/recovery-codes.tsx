// Ten recovery codes, shown this once (when two-step verification is turned on, or new ones are
// made): Copy puts them on the clipboard, Download saves them as a text file, Done drops them from
// the page for good (the server keeps only their SHA-256).
import { useEffect, useRef, useState } from 'react';
import { useCurrentUser } from '../lib/session-context.js';
import { recoveryCodesText } from '../lib/two-step.js';
import { CopyStatus, useCopyToClipboard } from './copy-to-clipboard.js';

export function RecoveryCodesPanel({
  codes,
  heading: Heading = 'h3',
  onDone,
}: {
  codes: readonly string[];
  heading?: 'h2' | 'h3';
  onDone: () => void;
}) {
  const user = useCurrentUser();
  const heading = useRef<HTMLHeadingElement>(null);
  // The panel is what the submit led to: a keyboard or screen-reader user lands on it.
  useEffect(() => heading.current?.focus(), []);
  const text = recoveryCodesText(codes, user.email, new Date());
  // A blob: link the browser saves as a file; released when the panel goes.
  const [download, setDownload] = useState<string>();
  useEffect(() => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    setDownload(url);
    return () => URL.revokeObjectURL(url);
  }, [text]);
  const copy = useCopyToClipboard(text);
  return (
    <section className="recovery-codes" aria-labelledby="recovery-codes-title">
      <Heading id="recovery-codes-title" ref={heading} tabIndex={-1}>
        Your recovery codes
      </Heading>
      <div className="alert alert-info" role="note">
        Save them now: this is the only time they are shown. Each one signs you in once if you lose your authenticator
        app; keep them somewhere safe, apart from your phone.
      </div>
      <ul className="recovery-code-list" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" className="button-secondary" onClick={copy.copy}>
          Copy
        </button>
        <a className="button-secondary" href={download} download="keel-recovery-codes.txt">
          Download
        </a>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
      <CopyStatus state={copy.state} failed="Could not copy: select the codes and copy them yourself." />
    </section>
  );
}
