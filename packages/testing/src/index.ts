export {
  createFakePingback,
  DEFAULT_FAKE_API_KEY,
  type FakePingback,
  type FakePingbackOptions,
  type FakeRequest,
  type FakeServer,
  type ListenOptions,
  REASON_HEADER,
  REDACTED,
  sequentialIds,
} from "./fake.js";
export {
  ALLOWED,
  type Allowed,
  BREACHES,
  type Breach,
  type FaultName,
  type FaultOptions,
  INCIDENTS,
  type Incident,
} from "./faults.js";
export { DOCUMENTED_RATE_LIMIT, type RateLimit } from "./limiter.js";
export { IMPLEMENTED_OPERATIONS } from "./semantics.js";
export type {
  FakeContact,
  FakeCustomField,
  FakeDeal,
  FakeLead,
  FakeModeState,
  FakePipeline,
  FakeSeed,
  FakeSegment,
  FakeState,
  SeedContact,
} from "./state.js";
