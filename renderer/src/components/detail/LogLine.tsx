/** One line of the virtualized log, with search matches marked; its number is drawn by CSS. */
import { memo } from 'react';
import type { ReactElement, ReactNode } from 'react';

interface LogLineProps {
  /** 1-based line number in the whole log. */
  number: number;
  text: string;
  top: number;
  needle: string;
  current: boolean;
}

function highlight(text: string, needle: string): ReactNode {
  if (!needle) return text;
  const lower = text.toLowerCase();
  const parts: ReactNode[] = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, from)) {
    if (at > from) parts.push(text.slice(from, at));
    parts.push(<mark key={at}>{text.slice(at, at + needle.length)}</mark>);
    from = at + needle.length;
  }
  if (parts.length === 0) return text;
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}

/** An ISO timestamp at the start of a line is drawn quieter than what the line says. */
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z /;
const BAD = /\b(FAIL|FAILED|ERROR|Error)\b/;
const WARN = /\b(WARN|WARNING|retry|retrying)\b/;

export const LogLine = memo(function LogLine({ number, text, top, needle, current }: LogLineProps): ReactElement {
  const stamp = STAMP.exec(text)?.[0] ?? '';
  const rest = stamp ? text.slice(stamp.length) : text;
  const tone = BAD.test(rest) ? ' log-line-bad' : WARN.test(rest) ? ' log-line-warn' : '';
  return (
    <div className={`log-line${tone}${current ? ' log-line-current' : ''}`} data-n={number} style={{ transform: `translateY(${top}px)` }}>
      {stamp ? <span className="log-stamp">{highlight(stamp, needle)}</span> : null}
      {highlight(rest, needle)}
    </div>
  );
});
