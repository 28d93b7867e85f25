/** One line of the virtualized log (or a summary of its frame), with search matches marked; its number is drawn by CSS. */
import { memo } from 'react';
import type { ReactElement, ReactNode } from 'react';
import type { FrameSummary } from './logFrame';
import { summaryLineText } from './logLayout';

interface LogLineProps {
  /** 1-based line number in the whole log. */
  number: number;
  text: string;
  top: number;
  /** Rows the line takes when wrapped. */
  rows: number;
  needle: string;
  current: boolean;
  /** A divider between attempts rather than a line of output. */
  divider?: boolean;
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

const place = (top: number, rows: number) => (rows > 1 ? { transform: `translateY(${top}px)`, height: rows * 18 } : { transform: `translateY(${top}px)` });

export const LogLine = memo(function LogLine({ number, text, top, rows, needle, current, divider = false }: LogLineProps): ReactElement {
  if (divider) {
    return (
      <div className="log-line log-line-divider" data-n={number} style={place(top, rows)}>
        {text}
      </div>
    );
  }
  const stamp = STAMP.exec(text)?.[0] ?? '';
  const rest = stamp ? text.slice(stamp.length) : text;
  const tone = BAD.test(rest) ? ' log-line-bad' : WARN.test(rest) ? ' log-line-warn' : '';
  return (
    <div className={`log-line${tone}${current ? ' log-line-current' : ''}`} data-n={number} style={place(top, rows)}>
      {stamp ? <span className="log-stamp">{highlight(stamp, needle)}</span> : null}
      {highlight(rest, needle)}
    </div>
  );
});

interface LogSummaryProps {
  number: number;
  summary: FrameSummary;
  top: number;
  rows: number;
  needle: string;
  current: boolean;
}

/** The log's JSON header or a footer, in plain words; "Raw" shows the JSON itself. */
export const LogSummary = memo(function LogSummary({ number, summary, top, rows, needle, current }: LogSummaryProps): ReactElement {
  return (
    <div
      className={`log-line log-summary log-summary-${summary.kind} log-summary-${summary.tone}${current ? ' log-line-current' : ''}`}
      data-n={number}
      data-testid={`log-summary-${summary.kind}`}
      style={place(top, rows)}
    >
      <div className="log-summary-title">{highlight(summary.title, needle)}</div>
      {summary.lines.map((line) => (
        <div key={line.label} className="log-summary-line" data-text={summaryLineText(line)}>
          <span className="log-summary-label">{highlight(`${line.label}:`, needle)}</span> {highlight(line.value, needle)}
        </div>
      ))}
    </div>
  );
});
