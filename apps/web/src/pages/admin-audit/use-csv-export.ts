// The audit log's CSV download: fetched with the in-memory token (a plain link could not send it).
import { useState } from 'react';
import { errorMessage } from '../../lib/errors.js';
import { useSession } from '../../lib/session-context.js';

const EXPORT_URL = '/api/admin/audit.csv';

/** `start(filters)` downloads the filtered log; `busy`, `error` and `notice` say how it went. */
export function useCsvExport() {
  const { authFetch } = useSession();
  const [state, setState] = useState<{ busy: boolean; error?: string; notice?: string }>({ busy: false });
  const start = async (filters: Record<string, string>) => {
    setState({ busy: true });
    try {
      const response = await authFetch(`${EXPORT_URL}?${new URLSearchParams(filters)}`);
      if (!response.ok) {
        const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
        setState({ busy: false, error: body?.error?.message ?? `The export failed (HTTP ${response.status}).` });
        return;
      }
      const blob = await response.blob();
      const filename = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'audit.csv';
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename;
      // Firefox only follows a link that is in the document.
      document.body.append(link);
      link.click();
      link.remove();
      // Revoked once the browser has surely taken the blob over; at once may cancel the download.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      // The server ends a capped export with this line (AUDIT_EXPORT_MAX_ROWS).
      const tail = await blob.slice(-300).text();
      const truncated = tail.includes('# truncated:');
      setState({
        busy: false,
        notice: truncated
          ? 'The file stops at the export limit: narrow the time range to export the rest.'
          : `Downloaded ${filename}.`,
      });
    } catch (error) {
      setState({ busy: false, error: errorMessage(error) });
    }
  };
  return { ...state, start };
}
