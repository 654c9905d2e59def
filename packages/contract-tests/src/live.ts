/** Live mode's settings, read from the environment. */
export type LiveConfig =
  | { enabled: false; reason: string }
  | { enabled: true; baseUrl: string; apiKey: string; developerMode: boolean };

/**
 * Live mode runs when both `PINGBACK_BASE_URL` and `PINGBACK_API_KEY` are set; developer mode is on
 * unless `PINGBACK_DEVELOPER_MODE=false`. Half a configuration is an error, never a silent skip.
 * No message ever contains the key.
 */
export function readLiveConfig(env: Record<string, string | undefined>): LiveConfig {
  const baseUrl = env.PINGBACK_BASE_URL?.trim() ?? "";
  const apiKey = env.PINGBACK_API_KEY?.trim() ?? "";
  if (!baseUrl && !apiKey) {
    return {
      enabled: false,
      reason: "PINGBACK_BASE_URL and PINGBACK_API_KEY are not set: only the Prism mock runs",
    };
  }
  if (!baseUrl || !apiKey) {
    const missing = baseUrl ? "PINGBACK_API_KEY" : "PINGBACK_BASE_URL";
    throw new Error(
      `Live mode needs both PINGBACK_BASE_URL and PINGBACK_API_KEY; ${missing} is empty or unset. Set it, or unset the other to run only the mock.`,
    );
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(
      `PINGBACK_BASE_URL is not a URL: "${baseUrl}". Use e.g. https://connect.pingback.com/v2.`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`PINGBACK_BASE_URL must be http(s), got "${url.protocol}".`);
  }
  const mode = env.PINGBACK_DEVELOPER_MODE?.trim().toLowerCase() ?? "";
  if (!["", "true", "false"].includes(mode)) {
    throw new Error(
      `PINGBACK_DEVELOPER_MODE must be "true" or "false", got "${env.PINGBACK_DEVELOPER_MODE}".`,
    );
  }
  return {
    enabled: true,
    baseUrl: baseUrl.replace(/\/+$/, ""),
    apiKey,
    developerMode: mode !== "false",
  };
}
