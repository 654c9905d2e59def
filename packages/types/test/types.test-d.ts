import { describe, expectTypeOf, test } from "vitest";
import type {
  Contact,
  ContactCreate,
  ErrorBody,
  ErrorCode,
  ErrorResponseBody,
  ErrorStatus,
  HeaderParams,
  OperationId,
  PathParams,
  paths,
  QueryParams,
  RequestBody,
  SuccessBody,
  SuccessStatus,
} from "../src/index.js";

describe("names derived from the spec", () => {
  test("every published operation is a key (new ones join with no edit here)", () => {
    expectTypeOf<
      | "listContacts"
      | "createContact"
      | "getContact"
      | "updateContact"
      | "createDeal"
      | "updateDeal"
      | "listSegments"
      | "addContactToSegments"
      | "verifyEmail"
    >().toExtend<OperationId>();
    expectTypeOf<"noSuchOperation">().not.toExtend<OperationId>();
  });

  test("schemas have their own names, and Error is ErrorBody so it does not shadow the global", () => {
    expectTypeOf<Contact["id"]>().toEqualTypeOf<string>();
    expectTypeOf<ErrorBody>().toHaveProperty("requestId");
    expectTypeOf<ErrorBody["errorCode"]>().toExtend<string | undefined>();
  });
});

describe("helpers keyed by operationId", () => {
  test("request body", () => {
    expectTypeOf<RequestBody<"createContact">>().toEqualTypeOf<ContactCreate>();
    expectTypeOf<RequestBody<"listContacts">>().toBeNever();
    expectTypeOf<RequestBody<"addContactToSegments">>().toEqualTypeOf<{
      segmentedListsIds: string[];
    }>();
  });

  test("success and error statuses and bodies", () => {
    expectTypeOf<SuccessStatus<"createContact">>().toEqualTypeOf<201>();
    expectTypeOf<SuccessStatus<"getContact">>().toEqualTypeOf<200>();
    expectTypeOf<ErrorStatus<"getContact">>().toEqualTypeOf<403 | 404 | 422 | 429 | 500>();
    expectTypeOf<SuccessBody<"getContact">["data"]>().toEqualTypeOf<Contact>();
    expectTypeOf<SuccessBody<"listContacts">["data"]["data"]>().toEqualTypeOf<Contact[]>();
    expectTypeOf<ErrorResponseBody<"getContact">>().toEqualTypeOf<ErrorBody>();
  });

  test("parameters", () => {
    expectTypeOf<PathParams<"getContact">>().toEqualTypeOf<{ email: string }>();
    expectTypeOf<PathParams<"updateDeal">>().toEqualTypeOf<{ dealId: string }>();
    expectTypeOf<QueryParams<"listContacts">>().toEqualTypeOf<{ page?: number }>();
    expectTypeOf<QueryParams<"getContact">>().toBeNever();
    expectTypeOf<HeaderParams<"getContact">>().toEqualTypeOf<{ "x-developer-mode"?: boolean }>();
  });

  test("an error code may be a known one or one the API adds later", () => {
    expectTypeOf<"CONTACT_NOT_FOUND">().toExtend<ErrorCode>();
    expectTypeOf<"A_CODE_FROM_NEXT_YEAR">().toExtend<ErrorCode>();
  });
});

describe("what must not compile", () => {
  test("an invalid body", () => {
    // @ts-expect-error email is required
    const missing: RequestBody<"createContact"> = { attributes: { name: "Ann" } };
    // @ts-expect-error segmentedListsIds is an array of ids, not one id
    const wrongType: RequestBody<"addContactToSegments"> = { segmentedListsIds: "6a14938e" };
    expectTypeOf(missing).not.toBeAny();
    expectTypeOf(wrongType).not.toBeAny();
  });

  test("a missing required parameter", () => {
    // @ts-expect-error the email path parameter is required
    const params: PathParams<"getContact"> = {};
    expectTypeOf(params).not.toBeAny();
  });

  test("an unknown path", () => {
    // @ts-expect-error the spec has no such path
    expectTypeOf<paths["/no/such/path"]>().toBeObject();
    expectTypeOf<paths>().not.toHaveProperty("/no/such/path");
    expectTypeOf<"/contacts" | "/contacts/{email}" | "/segments/add-contact/{email}">().toExtend<
      keyof paths
    >();
  });
});
