// A flag a redirect leaves in the address for the page to act on once (`?sso_error=`, `?linked=`,
// `?sso_step=`).
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';

/** Every page's search parameters, each optional, whichever page is on screen. */
const useAnySearch = () => useSearch({ strict: false });
type AnySearch = ReturnType<typeof useAnySearch>;

/**
 * Calls `onFound` with the address's `?<key>=`, which is then taken out of the address (replaced,
 * not pushed), so a reload or a bookmark does not act on it again.
 */
export function useConsumedSearchParam<Key extends keyof AnySearch>(
  key: Key,
  onFound?: (value: NonNullable<AnySearch[Key]>) => void,
): void {
  const navigate = useNavigate();
  const value = useAnySearch()[key];
  // The caller's latest, without making each render's new function a reason to act again.
  const found = useRef(onFound);
  useEffect(() => {
    found.current = onFound;
  });
  useEffect(() => {
    if (value === undefined) return;
    found.current?.(value);
    void navigate({ to: '.', search: (current) => ({ ...current, [key]: undefined }), replace: true });
  }, [key, value, navigate]);
}
