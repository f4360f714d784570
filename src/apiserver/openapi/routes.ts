// The OpenAPI endpoints: /openapi/v3 (index), /openapi/v3/<api|apis/g/v>
// (one document per group-version, with an ETag), /openapi/v2 (JSON, or a
// minimal protobuf document for clients that ask for protobuf only: kubectl
// 1.27/1.28 fail every apply on a 406 there).

import type { IncomingMessage, ServerResponse } from 'node:http';
import * as errors from '../../api/errors.ts';
import { parseMediaTypes } from '../http/negotiate.ts';
import { writeJSON, writeRaw } from '../http/respond.ts';
import { openAPIV2Document, openAPIV2Protobuf, OPENAPI_V2_PROTOBUF } from './v2.ts';
import { openAPIV3DocumentJSON, openAPIV3Index } from './v3.ts';

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

function v3(req: IncomingMessage, res: ServerResponse, url: URL): void {
  const rest = url.pathname.replace(/^\/openapi\/v3\/?/, '');
  if (rest === '') return writeJSON(res, 200, openAPIV3Index());
  const doc = openAPIV3DocumentJSON(rest);
  if (!doc) throw errors.notFound({ group: '', resource: 'openapi' }, rest);
  const etag = `"${doc.hash}"`;
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ETag: etag });
    res.end();
    return;
  }
  res.setHeader('ETag', etag);
  writeRaw(res, 200, doc.json, 'application/json');
}

function v2(req: IncomingMessage, res: ServerResponse): void {
  const accept = parseMediaTypes(req.headers.accept);
  const wantsJSON = accept.length === 0 || accept.some((m) => m.type === 'application/json' || m.type === '*/*');
  if (wantsJSON) return writeJSON(res, 200, openAPIV2Document());
  const buf = openAPIV2Protobuf();
  res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTOBUF, 'Content-Length': buf.length });
  res.end(buf);
}

export function openAPIRoutes(): Record<string, Route> {
  return { '/openapi/v3': v3, '/openapi/v2': v2 };
}
