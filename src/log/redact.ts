/**
 * Scrubs secrets from anything that is about to be logged: connection strings (user, password,
 * host and all), bearer tokens, and any value passed in `secrets` (e.g. the API token itself).
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text
    .replace(/\b(postgres(?:ql)?|wss?|https?):\/\/[^\s"'@/]*:[^\s"'@/]*@[^\s"',)]*/gi, "$1://[redacted]")
    .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, "Bearer [redacted]")
    .replace(/(password|passwd|pwd)=([^\s&"';]+)/gi, "$1=[redacted]");
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return out;
}
