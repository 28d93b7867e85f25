/** The few line icons the UI uses, drawn inline (16 px, currentColor) so they follow the theme. */
import type { ReactElement, SVGProps } from 'react';

type IconProps = SVGProps<SVGSVGElement>;

function Icon({ children, ...props }: IconProps & { children: ReactElement | ReactElement[] }): ReactElement {
  return (
    <svg
      width="16"
      height="16"
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...props}
    >
      {children}
    </svg>
  );
}

export const PauseIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M5.5 3.5v9" />
    <path d="M10.5 3.5v9" />
  </Icon>
);

export const PlayIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M5 3.2v9.6L12.5 8z" />
  </Icon>
);

export const StopAfterIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M2.5 8h6" />
    <path d="M6 5l3 3-3 3" />
    <path d="M12.5 3.5v9" />
  </Icon>
);

export const CancelIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="8" cy="8" r="5.5" />
    <path d="M6 6l4 4M10 6l-4 4" />
  </Icon>
);

export const RetryIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M12.5 8A4.5 4.5 0 1 1 11 4.6" />
    <path d="M12.5 2.5v3h-3" />
  </Icon>
);

export const PlusIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M8 3v10M3 8h10" />
  </Icon>
);

export const CloseIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M4 4l8 8M12 4l-8 8" />
  </Icon>
);

export const ArrowDownIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M8 3v10" />
    <path d="M4 9l4 4 4-4" />
  </Icon>
);

export const SunIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="8" cy="8" r="2.8" />
    <path d="M8 1.5v1.5M8 13v1.5M1.5 8H3M13 8h1.5M3.4 3.4l1 1M11.6 11.6l1 1M3.4 12.6l1-1M11.6 4.4l1-1" />
  </Icon>
);

export const MoonIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M13 9.5A5.5 5.5 0 0 1 6.5 3a5.5 5.5 0 1 0 6.5 6.5z" />
  </Icon>
);

export const MonitorIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="2" y="3" width="12" height="8.5" rx="1.2" />
    <path d="M5.5 14h5M8 11.5V14" />
  </Icon>
);

/** The app mark, drawn like the app icon (scripts/icons.mjs): an arrow rising from a hull on a wave. */
export const FerryMark = (p: IconProps) => (
  <svg width="22" height="22" viewBox="0 0 20 20" aria-hidden="true" focusable="false" {...p}>
    <defs>
      <linearGradient id="ferry-mark-fill" x1="0" y1="0" x2="0" y2="1">
        <stop offset="0" stopColor="rgb(30 110 220)" />
        <stop offset="1" stopColor="rgb(50 150 190)" />
      </linearGradient>
    </defs>
    <rect width="20" height="20" rx="4" fill="url(#ferry-mark-fill)" />
    <path d="M10 3.6l3.96 3.6H11.1V12H8.9V7.2H6.04z" fill="#fff" />
    <path d="M4.4 12h11.2l-1.6 2H6z" fill="#fff" />
    <path d="M3.33 16q1.67-1.4 3.33 0t3.33 0t3.33 0t3.33 0" fill="none" stroke="#fff" strokeWidth="1.2" strokeLinecap="round" />
  </svg>
);
