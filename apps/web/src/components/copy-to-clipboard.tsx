// Copy on the panels that show a secret once (a new API key, recovery codes): the clipboard write,
// and the status line that says how it went.
import { useState } from 'react';

type CopyState = 'idle' | 'copied' | 'failed';

/** `copy` puts `text` on the clipboard; `state` is how the last try went. */
export function useCopyToClipboard(text: string): { state: CopyState; copy: () => void } {
  const [state, setState] = useState<CopyState>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      // No clipboard (an insecure origin, a denied permission): the text stays selectable by hand.
      setState('failed');
    }
  };
  return { state, copy: () => void copy() };
}

/** The outcome of Copy; `failed` says what to select by hand. */
export function CopyStatus({ state, failed }: { state: CopyState; failed: string }) {
  return (
    // Always on the page, so the outcome is announced when it appears.
    <p role="status" className="new-key-copy">
      {state === 'copied' ? 'Copied to the clipboard.' : null}
      {state === 'failed' ? failed : null}
    </p>
  );
}
