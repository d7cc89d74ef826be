// Short-lived notices (a transfer arrived, a change saved) announced politely to screen readers.
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';

interface Toast {
  id: number;
  text: string;
}

/** Shows `text` for a few seconds; a notice of the same `group` still showing is replaced, and its time starts again. */
export type ShowToast = (text: string, group?: string) => void;

const ToastContext = createContext<ShowToast>(() => {});
/** How long a notice shows; a group's notices add up for as long as the last one shows. */
export const TOAST_MS = 6_000;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  // The notice each group shows now, and the timer that removes it.
  const groups = useRef(new Map<string, { id: number; timer: ReturnType<typeof setTimeout> }>());
  const push = useCallback<ShowToast>((text, group) => {
    const id = Date.now() + Math.random();
    const replaced = group === undefined ? undefined : groups.current.get(group);
    if (replaced) clearTimeout(replaced.timer);
    const timer = setTimeout(() => {
      if (group !== undefined && groups.current.get(group)?.id === id) groups.current.delete(group);
      setToasts((current) => current.filter((toast) => toast.id !== id));
    }, TOAST_MS);
    if (group !== undefined) groups.current.set(group, { id, timer });
    setToasts((current) => [...current.filter((toast) => toast.id !== replaced?.id).slice(-3), { id, text }]);
  }, []);
  const value = useMemo(() => push, [push]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((toast) => (
          <div key={toast.id} className="toast">
            {toast.text}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): ShowToast {
  return useContext(ToastContext);
}
