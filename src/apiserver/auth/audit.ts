// The audit log: one JSON line per write request (create, update, patch,
// delete, deletecollection) at Kubernetes' Metadata level, in the shape of
// audit.k8s.io/v1 Event: who, what verb on which object, the response code,
// and annotations admission added (PodSecurity's audit violations).

import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { RequestInfo } from '../request.ts';
import type { User } from './user.ts';

export const AUDITED_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export interface AuditRecord {
  info: RequestInfo;
  user: User | undefined;
  uri: string;
  code: number;
  sourceIP: string | undefined;
  userAgent: string | undefined;
  received: Date;
  annotations: Record<string, string>;
}

export class AuditLog {
  private readonly out: WriteStream;

  constructor(path: string) {
    this.out = createWriteStream(path, { flags: 'a', mode: 0o600 });
  }

  record(r: AuditRecord): void {
    if (!r.info.isResourceRequest || !AUDITED_VERBS.has(r.info.verb)) return;
    const event = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: randomUUID(),
      stage: 'ResponseComplete',
      requestURI: r.uri,
      verb: r.info.verb,
      user: r.user ? { username: r.user.name, ...(r.user.uid ? { uid: r.user.uid } : {}), groups: r.user.groups } : { username: 'system:anonymous' },
      sourceIPs: r.sourceIP ? [r.sourceIP] : [],
      userAgent: r.userAgent,
      objectRef: {
        resource: r.info.resource,
        ...(r.info.namespace ? { namespace: r.info.namespace } : {}),
        ...(r.info.name ? { name: r.info.name } : {}),
        apiGroup: r.info.group,
        apiVersion: r.info.version,
        ...(r.info.subresource ? { subresource: r.info.subresource } : {}),
      },
      responseStatus: { metadata: {}, code: r.code },
      requestReceivedTimestamp: r.received.toISOString(),
      stageTimestamp: new Date().toISOString(),
      ...(Object.keys(r.annotations).length ? { annotations: r.annotations } : {}),
    };
    this.out.write(JSON.stringify(event) + '\n');
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}
