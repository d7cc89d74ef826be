// The search box of a list page: what is typed is applied (to the URL, and so to the query) after a pause.
import { useEffect, useRef, useState } from 'react';
import { useDebouncedValue } from '../lib/use-debounced-value.js';
import { TextField } from './ui.js';

const SEARCH_DEBOUNCE_MS = 300;

/**
 * `applied` is the search the list shows now (from the URL); `onApply` receives the trimmed text,
 * or undefined for an empty box, once typing pauses and only when it differs from `applied`.
 */
export function SearchField({
  label,
  applied,
  onApply,
}: {
  label: string;
  applied: string | undefined;
  onApply: (search: string | undefined) => void;
}) {
  const [text, setText] = useState(applied ?? '');
  const settled = useDebouncedValue(text.trim(), SEARCH_DEBOUNCE_MS);
  // The latest callback, so a parent passing a new function each render does not re-apply.
  const apply = useRef(onApply);
  apply.current = onApply;
  useEffect(() => {
    if (settled !== (applied ?? '')) apply.current(settled || undefined);
  }, [settled, applied]);
  return (
    <TextField label={label} type="search" maxLength={100} value={text} onChange={(e) => setText(e.target.value)} />
  );
}
