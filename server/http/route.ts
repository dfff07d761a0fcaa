import type { Router, RouterMiddleware } from '@koa/router';
import { OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { AppContext, AppState } from './context';
import { readJsonBody, readRawBody } from './middleware/body';
import { validationError } from './validation';

/** What a route requires of its caller. Every route states one; a test fails on any that does not. */
export type Access =
  | { kind: 'public' }
  | { kind: 'authenticated'; allowDuringPasswordChange?: boolean }
  | { kind: 'permission'; action: string; subject: string };

export const access = {
  public: (): Access => ({ kind: 'public' }),
  authenticated: (allowDuringPasswordChange = false): Access => ({ kind: 'authenticated', allowDuringPasswordChange }),
  can: (action: string, subject: string): Access => ({ kind: 'permission', action, subject }),
};

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
type AnyObjectSchema = z.ZodType<Record<string, unknown>>;

export type RouteSpec<B extends AnyObjectSchema, Q extends AnyObjectSchema, P extends AnyObjectSchema> = {
  method: Method;
  /** koa-router path, e.g. /users/:id */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  body?: B;
  /** Read the body as raw bytes up to this many bytes instead of JSON (signed webhooks). */
  rawBodyLimit?: number;
  /** The handler reads the request stream itself (multipart uploads). */
  streamBody?: boolean;
  /** Requests the UI makes on its own (the live-events stream): they do not count as session activity. */
  background?: boolean;
  query?: Q;
  params?: P;
  /** Response status and schema, for the OpenAPI document. */
  responses?: Record<number, { description: string; schema?: z.ZodType }>;
  handler: (ctx: AppContext, input: { body: z.infer<B>; query: z.infer<Q>; params: z.infer<P>; rawBody: Buffer | null }) => Promise<void>;
};

export type RouteDeclaration = { method: string; path: string; access: Access };

/** The authentication and authorization steps a route's pipeline starts with. */
export type AuthGate = {
  authenticate: (allowDuringPasswordChange: boolean, activity?: boolean) => RouterMiddleware<AppState>;
  require: (action: string, subject: string) => RouterMiddleware<AppState>;
};

const emptyObject = z.strictObject({});

/**
 * Registers routes on a router with one pipeline each:
 * authenticate -> validate -> can(action, subject) -> handler,
 * and records every declaration for the OpenAPI document and the route audit test.
 */
export class RouteTable {
  readonly declarations: RouteDeclaration[] = [];
  readonly openapi = new OpenAPIRegistry();

  constructor(
    readonly router: Router<AppState>,
    private readonly prefix: string,
    private readonly bodyLimit: number,
    private readonly gate: AuthGate,
  ) {}

  add<B extends AnyObjectSchema = typeof emptyObject, Q extends AnyObjectSchema = typeof emptyObject, P extends AnyObjectSchema = typeof emptyObject>(
    spec: RouteSpec<B, Q, P>,
  ): void {
    const { method, path } = spec;
    this.declarations.push({ method: method.toUpperCase(), path: this.prefix + path, access: spec.access });
    this.document(spec);
    const bodySchema = spec.body ?? emptyObject;
    const querySchema = spec.query ?? emptyObject;
    const paramsSchema = spec.params ?? emptyObject;
    const pipeline: Array<RouterMiddleware<AppState>> = [
      async (ctx, next) => {
        ctx.state.routePath = this.prefix + path;
        await next();
      },
    ];
    if (spec.access.kind !== 'public') {
      pipeline.push(
        this.gate.authenticate(spec.access.kind === 'authenticated' && spec.access.allowDuringPasswordChange === true, spec.background !== true),
      );
    }
    if (spec.access.kind === 'permission') {
      pipeline.push(this.gate.require(spec.access.action, spec.access.subject));
    }
    pipeline.push(async (ctx) => {
      const rawBody = spec.rawBodyLimit ? await readRawBody(ctx, spec.rawBodyLimit) : null;
      const json = rawBody || spec.streamBody || method === 'get' || method === 'delete' ? {} : await readJsonBody(ctx, this.bodyLimit);
      const body = bodySchema.safeParse(json);
      if (!body.success) {
        throw validationError('body', body.error, json);
      }
      const query = querySchema.safeParse(ctx.query);
      if (!query.success) {
        throw validationError('query', query.error, ctx.query);
      }
      const params = paramsSchema.safeParse(ctx.params);
      if (!params.success) {
        throw validationError('params', params.error, ctx.params);
      }
      await spec.handler(ctx, {
        body: body.data as z.infer<B>,
        query: query.data as z.infer<Q>,
        params: params.data as z.infer<P>,
        rawBody,
      });
    });
    this.router[method](path, ...pipeline);
  }

  private document<B extends AnyObjectSchema, Q extends AnyObjectSchema, P extends AnyObjectSchema>(
    spec: RouteSpec<B, Q, P>,
  ): void {
    const responses: RouteConfig['responses'] = {};
    for (const [status, r] of Object.entries(spec.responses ?? { 200: { description: 'OK' } })) {
      responses[status] = r.schema
        ? { description: r.description, content: { 'application/json': { schema: r.schema } } }
        : { description: r.description };
    }
    const access = spec.access;
    this.openapi.registerPath({
      method: spec.method,
      path: (this.prefix + spec.path).replace(/:([A-Za-z]+)/g, '{$1}'),
      summary: spec.summary,
      tags: [spec.tag],
      description:
        access.kind === 'permission'
          ? `Requires ${access.subject}:${access.action}.`
          : access.kind === 'authenticated'
            ? 'Requires a signed-in user.'
            : 'Public.',
      request: {
        ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } } } } : {}),
        ...(spec.query ? { query: spec.query as unknown as z.ZodObject } : {}),
        ...(spec.params ? { params: spec.params as unknown as z.ZodObject } : {}),
      },
      responses,
    });
  }
}
