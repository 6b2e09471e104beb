/** The package entry: the client, its failures, UserSig tools and the spec's generated tables. */
export {
  createChatGroupsClient,
  type CallFailure,
  type CallInit,
  type CallResult,
  type CallSuccess,
  type CallerPaths,
  type ChatGroupsClient,
  type ChatGroupsClientOptions,
  type RawClient,
  type RequestBody,
  type ResponseBody,
} from './client.js';
export {
  ApiError,
  ChatGroupsError,
  ClientOptionsError,
  NetworkError,
  RequestValidationError,
  redactUrl,
  type AnyErrorCode,
  type ErrorKind,
  type NetworkFailureReason,
  type OperationCode,
} from './errors.js';
export { randomUint32, requestRandom, signingQueryParams, type SigningQueryParam } from './signing.js';
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
} from './usersig.js';
export {
  createUserSigSource,
  type UserSigProvider,
  type UserSigSource,
  type UserSigSourceOptions,
} from './usersig-source.js';
export { validateRequest, utf8ByteLength, type Rule, type Violation } from './validate.js';
export { errorCodes, operationErrorCodes, type DocumentedErrorCode, type ErrorCodeInfo, type PublicErrorCode, type RetryStrategy } from '../generated/error-codes.js';
export { operations, specVersion, type OperationId } from '../generated/operations.js';
export { regions, type RegionName } from '../generated/regions.js';
export type { DelContactGroupRequest, DelContactGroupResponse, GroupItem, components, paths } from '../generated/types.js';
