// Long text (a pasted URL, a 2 000-character description) cut to two lines with an ellipsis. Only when
// it is cut does it carry the whole text as a tooltip (`title`) and take keyboard focus, on which it
// unfolds (styles.css `.truncated`): a short text stays a plain, unfocusable cell.
import { useLayoutEffect, useRef, useState } from 'react';

export function TruncatedText({ text }: { text: string }) {
  const ref = useRef<HTMLSpanElement>(null);
  const [cut, setCut] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new text is measured again even when the box keeps its size
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    // Unfolded by focus, it no longer overflows: it stays marked as cut until it loses focus.
    const measure = () => {
      if (document.activeElement !== element) setCut(element.scrollHeight > element.clientHeight + 1);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [text]);
  return (
    <span ref={ref} className="truncated" title={cut ? text : undefined} tabIndex={cut ? 0 : undefined}>
      {text}
    </span>
  );
}
