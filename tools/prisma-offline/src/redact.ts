/**
 * Hides passwords in a postgres:// URL, or in any text that contains such URLs
 * (error messages, CLI output), so it can be printed or logged.
 */
export function redactUrl(urlOrText: string): string {
  try {
    const parsed = new URL(urlOrText);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return urlOrText.replace(/\/\/([^:/@\s]*):[^@\s]*@/g, "//$1:***@");
  }
}
