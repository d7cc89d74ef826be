// Short-lived notices (a transfer arrived, a change saved) announced politely to screen readers.
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from 'react';

interface Toast {
  id: number;
  text: string;
  /** Notices of one kind that replace each other instead of stacking up (see `toast`'s `group`). */
  group: string | undefined;
}

/** Shows `text` for a few seconds; a notice of the same `group` still showing is replaced, and its time starts again. */
export type ShowToast = (text: string, group?: string) => void;

const ToastContext = createContext<ShowToast>(() => {});
const TOAST_MS = 6_000;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());
  const push = useCallback<ShowToast>((text, group) => {
    const id = Date.now() + Math.random();
    setToasts((current) => {
      const replaced = group === undefined ? undefined : current.find((toast) => toast.group === group);
      if (replaced) clearTimeout(timers.current.get(replaced.id));
      const others = current.filter((toast) => toast !== replaced);
      return [...others.slice(-3), { id, text, group }];
    });
    timers.current.set(
      id,
      setTimeout(() => {
        timers.current.delete(id);
        setToasts((current) => current.filter((t) => t.id !== id));
      }, TOAST_MS),
    );
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

/** How long a group's notices keep adding up: as long as the last one shows. */
export const TOAST_GROUP_MS = TOAST_MS;
