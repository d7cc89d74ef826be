// A value that follows its input only after the input has stopped changing for `delayMs`.
import { useEffect, useState } from 'react';

/**
 * Every search box of the dashboard asks the server once a person pauses typing, not at each
 * keystroke. The first render returns `value` at once: only changes wait.
 */
export function useDebouncedValue<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
