// Whether the server refused the page on screen until the account does something first (the
// signed-in frame then shows a panel in its place): the React side of lib/page-refusal.ts.
import { useQueryClient } from '@tanstack/react-query';
import { useRouter, useRouterState } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { type PageRefusal, watchRefusals } from '../lib/page-refusal.js';

/**
 * Whether the page on screen was refused with `refusal`, and `clear` to call once the account did
 * what it asked. It has to outlast the refusal itself, because the panel unmounts the page whose
 * query failed. It ends when another page is opened, which asks the server again; with
 * `keepForItsPage`, it is kept for the refused page instead, which shows the panel at once when
 * opened again.
 */
export function usePageRefusal(
  refusal: PageRefusal,
  { keepForItsPage = false }: { keepForItsPage?: boolean } = {},
): { refused: boolean; clear: () => void } {
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = useRouterState({ select: (state) => state.location.pathname });
  const [refusedOn, setRefusedOn] = useState<string>();
  useEffect(
    () => watchRefusals(queryClient.getQueryCache(), refusal, () => setRefusedOn(router.state.location.pathname)),
    [queryClient, router, refusal],
  );
  useEffect(() => {
    if (pathname && !keepForItsPage) setRefusedOn(undefined);
  }, [pathname, keepForItsPage]);
  return { refused: refusedOn === pathname, clear: () => setRefusedOn(undefined) };
}
