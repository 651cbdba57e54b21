// The API's testing front door (`@jointflow/api/testing`): what tools outside this package use
// to exercise a running API. Never imported by the API itself.

/** Bodies over this many bytes are refused (413) without being read to their end. */
export { DEFAULT_BODY_LIMIT } from '../app';
export { type BadRequest, badRequest, schemaValidGraph, sendBadRequest } from './fuzzRequests';
