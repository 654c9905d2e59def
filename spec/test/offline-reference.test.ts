/** The build step that swaps Redoc's remote attribution logo for an inline one. */
import { describe, expect, test } from "vitest";
import { inlineLogo, withInlineLogo } from "../scripts/offline-reference.js";

describe("withInlineLogo", () => {
  const cases = [
    {
      given: "the full logo",
      html: "src:e?`https://cdn.redoc.ly/redoc/logo-mini-full.svg`:`x`",
      want: `src:e?\`${inlineLogo}\`:\`x\``,
    },
    {
      given: "both logos",
      html: "`https://cdn.redoc.ly/redoc/logo-mini-full.svg`:`https://cdn.redoc.ly/redoc/logo-mini.svg`",
      want: `\`${inlineLogo}\`:\`${inlineLogo}\``,
    },
  ];

  test.each(cases)("replaces $given", ({ html, want }) => {
    expect(withInlineLogo(html)).toBe(want);
  });

  test("keeps the inline logo free of characters that would end Redoc's JS string", () => {
    expect(inlineLogo).toMatch(/^data:image\/svg\+xml,[^`$"'\s]+$/);
  });

  test("fails, naming the fix, when Redoc no longer loads the logo from its CDN", () => {
    expect(() => withInlineLogo("<html></html>")).toThrow(/Redoc changed.*offline-reference\.ts/s);
  });
});
