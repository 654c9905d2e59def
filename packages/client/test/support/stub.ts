/** An injected `fetch` that answers from a list and records what it was sent. */
export type Answer =
  | Response
  | Error
  | ((request: Request, init?: RequestInit) => Response | Promise<Response>);

export function stubFetch(...answers: Answer[]) {
  const requests: Request[] = [];
  const fetch = async (request: Request, init?: RequestInit): Promise<Response> => {
    requests.push(request);
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)];
    if (answer instanceof Error) throw answer;
    if (typeof answer === "function") return answer(request, init);
    return (answer as Response).clone();
  };
  return { fetch, requests };
}

export const contact = { id: "c1", email: "a@b.com" };
export const ok = () => Response.json({ message: "Contact found", data: contact });
