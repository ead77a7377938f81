/** "90", "90s", "15m", "1h", "7d" → seconds; undefined for anything else (or zero). */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * { "": 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2]!]!;
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}
