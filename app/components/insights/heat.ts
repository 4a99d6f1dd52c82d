// Heat-map colours: five steps of blue, each with a text colour that keeps WCAG AA contrast
// (dark text on the light steps, white on the dark ones).
const STEPS = [
  { background: "#eef4fc", color: "#202020" },
  { background: "#d3e2f7", color: "#202020" },
  { background: "#a3c2ee", color: "#202020" },
  { background: "#2f6fd0", color: "#ffffff" },
  { background: "#1a4fa0", color: "#ffffff" },
];

/** The colours of a value's share (0–1) of the largest value. */
export function heat(share: number): { background: string; color: string } {
  return STEPS[Math.min(STEPS.length - 1, Math.max(0, Math.floor(share * STEPS.length)))];
}
