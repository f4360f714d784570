// Protobuf field tables: authentication/v1 and authorization/v1, the review
// and token kinds kubectl's typed clients POST (auth can-i, auth whoami,
// create token). Field numbers are those of Kubernetes 1.32 generated.proto.
import type { PackageSchema } from './schema-types.ts';

export const AUTHENTICATION_V1: PackageSchema = {
  pkg: 'authentication.v1',
  messages: {
    BoundObjectReference: [[1, 'kind', 'string', 'o'], [2, 'apiVersion', 'string', 'o'], [3, 'name', 'string', 'o'], [4, 'uid', 'string', 'o']],
    SelfSubjectReview: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'status', 'SelfSubjectReviewStatus', 'o']],
    SelfSubjectReviewStatus: [[1, 'userInfo', 'UserInfo', 'o']],
    TokenRequest: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'TokenRequestSpec'], [3, 'status', 'TokenRequestStatus', 'o']],
    TokenRequestSpec: [[1, 'audiences', 'string', 'r'], [3, 'boundObjectRef', 'BoundObjectReference', 'p'], [4, 'expirationSeconds', 'int64', 'op']],
    TokenRequestStatus: [[1, 'token', 'string'], [2, 'expirationTimestamp', 'time']],
    TokenReview: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'TokenReviewSpec'], [3, 'status', 'TokenReviewStatus', 'o']],
    TokenReviewSpec: [[1, 'token', 'string', 'o'], [2, 'audiences', 'string', 'ro']],
    TokenReviewStatus: [[1, 'authenticated', 'bool', 'o'], [2, 'user', 'UserInfo', 'o'], [3, 'error', 'string', 'o'], [4, 'audiences', 'string', 'ro']],
    UserInfo: [[1, 'username', 'string', 'o'], [2, 'uid', 'string', 'o'], [3, 'groups', 'string', 'ro'], [4, 'extra', 'map:stringlist', 'o']],
  },
};

export const AUTHORIZATION_V1: PackageSchema = {
  pkg: 'authorization.v1',
  messages: {
    NonResourceAttributes: [[1, 'path', 'string', 'o'], [2, 'verb', 'string', 'o']],
    ResourceAttributes: [
      [1, 'namespace', 'string', 'o'], [2, 'verb', 'string', 'o'], [3, 'group', 'string', 'o'], [4, 'version', 'string', 'o'],
      [5, 'resource', 'string', 'o'], [6, 'subresource', 'string', 'o'], [7, 'name', 'string', 'o']
    ],
    SelfSubjectAccessReview: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'SelfSubjectAccessReviewSpec'], [3, 'status', 'SubjectAccessReviewStatus', 'o']],
    SelfSubjectAccessReviewSpec: [[1, 'resourceAttributes', 'ResourceAttributes', 'op'], [2, 'nonResourceAttributes', 'NonResourceAttributes', 'op']],
    SelfSubjectRulesReview: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'SelfSubjectRulesReviewSpec'], [3, 'status', 'SubjectRulesReviewStatus', 'o']],
    SelfSubjectRulesReviewSpec: [[1, 'namespace', 'string', 'o']],
    SubjectAccessReview: [[1, 'metadata', 'meta.v1.ObjectMeta', 'o'], [2, 'spec', 'SubjectAccessReviewSpec'], [3, 'status', 'SubjectAccessReviewStatus', 'o']],
    SubjectAccessReviewSpec: [
      [1, 'resourceAttributes', 'ResourceAttributes', 'op'], [2, 'nonResourceAttributes', 'NonResourceAttributes', 'op'], [3, 'user', 'string', 'o'],
      [4, 'groups', 'string', 'ro'], [5, 'extra', 'map:stringlist', 'o'], [6, 'uid', 'string', 'o']
    ],
    SubjectAccessReviewStatus: [[1, 'allowed', 'bool'], [2, 'reason', 'string', 'o'], [3, 'evaluationError', 'string', 'o'], [4, 'denied', 'bool', 'o']],
    SubjectRulesReviewStatus: [],
  },
};
