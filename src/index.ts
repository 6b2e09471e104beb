/** The package entry: the client, its failures, UserSig tools and the spec's generated tables. */
export { createChatGroupsClient, type CallerPaths, type ChatGroupsClient, type ChatGroupsClientOptions, type RawClient } from './client/client.js';
export type { Attempts, CallFailure, CallInit, CallResult, CallSuccess } from './client/call-types.js';
export type { RequestBody, ResponseBody } from './client/bodies.js';
export { DEFAULT_FLEET_SIZE, DEFAULT_TIMEOUT_MS, type RateLimitPerOperation } from './client/options.js';
export { DEFAULT_MAX_RESPONSE_BYTES, MAX_ANSWER_DEPTH } from './client/answer-body.js';
export type { LimiterEvent, LimiterHook, LocalReason } from './client/flow/shared/limiter-events.js';
export type { AttemptEvent, AttemptOutcome, AttemptRecord } from './client/events.js';
export type { NextStep, RetryOptions } from './client/policy.js';
export type { Clock } from './client/flow/clock.js';
export type { EndpointRole } from './client/endpoints.js';
export {
  ApiError,
  ChatGroupsError,
  ClientOptionsError,
  NetworkError,
  RequestValidationError,
  UnclearOutcomeError,
  UnexpectedAnswerError,
  UserSigError,
  redactUrl,
  type Delivery,
  type UnansweredAttempt,
  type AnyErrorCode,
  type ErrorKind,
  type NetworkFailureReason,
  type UnexpectedAnswerReason,
  type UserSigFailureReason,
  type OperationCode,
} from './errors.js';
export { randomUint32, requestRandom, signingQueryParams, type SigningQueryParam } from './client/signing.js';
export {
  decodeUserSig,
  generateUserSig,
  userSigHmac,
  verifyUserSig,
  UserSigFormatError,
  UserSigInputError,
  type DecodedUserSig,
  type GenerateUserSigOptions,
  type UserSigExpectation,
  type UserSigVerification,
} from './usersig/usersig.js';
export {
  createUserSigSource,
  DEFAULT_USERSIG_TIMEOUT_MS,
  UserSigUnavailableError,
  type UserSigProvider,
  type UserSigSource,
  type UserSigSourceOptions,
} from './client/usersig-source.js';
export { validateAgainstSchema, validateRequest, validateResponse, utf8ByteLength, type ResponseViolation, type Rule, type Violation } from './validate.js';
export { errorCodes, operationErrorCodes, type DocumentedErrorCode, type ErrorCodeInfo, type PublicErrorCode, type RetryStrategy } from '../generated/error-codes.js';
export { operations, specVersion, type OperationId } from '../generated/operations.js';
export { regions, type RegionName } from '../generated/regions.js';
// The schema types of every operation (the generated MarkBit type is left out: `MarkBit` here is the named-bit table).
export type {
  UserId, GroupName, C2CContactItem, ChatGroupId, GroupChatContactItem, ContactItem, NewContactGroup,
  CreateContactGroupRequest, ActionStatus, ErrorCode, ResponseEnvelope, GroupItem, ItemResultCode, ItemResultInfo,
  ContactResult, CreatedGroupResult, CreateContactGroupResponse, RenameGroupUpdate, ContactOptType,
  ContactUpdateItem, GroupContactsUpdate, UpdateGroup, UpdateContactGroupRequest, ContactUpdateResult,
  UpdateGroupResult, UpdateContactGroupResponse, DelGroupName, DelContactGroupRequest, DelContactGroupResponse,
  SearchContactGroupRequest, StandardMark, ContactGroupFields, C2CContactGroupData, GroupChatContactGroupData,
  ContactGroupData, SearchContactGroupResponse, GetContactGroupRequest, CompleteFlag, GetContactGroupResponse,
  MarkOptType, CustomMark, MarkItem, MarkContactRequest, MarkResult, MarkContactResponse, AssistFlags,
  GetRecentContactListRequest, C2CSessionPeer, SessionFields, C2CSessionItem, GroupSessionPeer, GroupSessionItem,
  SessionItem, GetRecentContactListResponse, ClearRamble, DeleteC2CConversation, DeleteGroupConversation,
  DeleteRecentContactRequest, DeleteRecentContactResponse, components, paths,
} from '../generated/types.js';
export {
  CUSTOMER_MARK_COUNT,
  MAX_MARK_BIT,
  MIN_MARK_BIT,
  MarkBit,
  STANDARD_MARK_BIT_ORDER,
  customerMark,
  customerMarkBit,
  formatStandardMark,
  hasMark,
  markBitFlag,
  markChanges,
  markFlagBit,
  markItem,
  parseStandardMark,
  standardMarkBits,
  type CustomerMark,
  type MarkChanges,
  type MarkFlag,
  type MarkItemChanges,
  type NamedMark,
  type ReservedMark,
  type StandardMarkBitOrder,
} from './marks.js';
export {
  DEFAULT_ASSIST_FLAGS,
  DEFAULT_MAX_PAGES,
  PaginationError,
  paginateContactGroupPages,
  paginateContactGroups,
  paginateRecentContactPages,
  paginateRecentContacts,
  readAllContactGroups,
  type ContactGroupClient,
  type ContactGroupPage,
  type PageCall,
  type PaginateOptions,
  type PaginationFailure,
  type RecentContactClient,
  type RecentContactPage,
  type RecentContactsOptions,
} from './paginate.js';
export {
  isPartialSuccess,
  itemFailures,
  itemResults,
  type HasItemResults,
  type ItemFailure,
  type ItemOutcome,
  type ItemResultOf,
} from './item-results.js';
